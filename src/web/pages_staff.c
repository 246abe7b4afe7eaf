// SPDX-License-Identifier: MIT
// The staff's pages: every subscriber with today's top talkers and who is over quota, one
// subscriber's usage (the customer's own page, read for staff), a month's bills, traffic no
// subscriber holds, and the exporters' health (the view of `flowtally stats`, from the same
// computation in report/health.c) with their raw counters.
#include "../base/err.h"
#include "../base/html.h"
#include "../report/health.h"
#include "../report/report.h"
#include "invoices.h"
#include "page.h"
#include "usage_page.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TOP_N 10
#define UNASSIGNED_N 100

static void account_link(struct web_ctx *c, const char *account)
{
    fputs("<a href=\"/staff/subscribers/", c->out);
    html_url_component(c->out, account);
    fputs("\">", c->out);
    page_text(c, account);
    fputs("</a>", c->out);
}

static void bytes_cell(struct web_ctx *c, uint64_t v)
{
    char h[32];
    fprintf(c->out, "<td class=\"n\" data-bytes=\"%llu\">%s</td>", (unsigned long long)v,
            report_human_bytes(v, h));
}

static uint64_t row_total(const struct report_row *r)
{
    return r->dir[FLOW_DIR_IN].bytes + r->dir[FLOW_DIR_OUT].bytes;
}

static int by_total_desc(const void *a, const void *b)
{
    uint64_t x = row_total(a), y = row_total(b);
    return x < y ? 1 : x > y ? -1 : 0;
}

static uint64_t local_midnight(uint64_t ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    tm.tm_isdst = -1;
    return (uint64_t)mktime(&tm) * 1000;
}

/* Rows of usage since `from` grouped as asked, largest first, at most max. */
static int top_rows(struct web_ctx *c, uint64_t from, unsigned group, int64_t subscriber_id,
                    struct report_rows *rows, char *errbuf)
{
    struct report_query q = {
        .from_ms = from, .to_ms = 0, .group = group, .subscriber_id = subscriber_id};
    int rc = report_usage_rows(c->store, &q, rows, errbuf);
    if (rc == 0 && rows->n > 1)
        qsort(rows->rows, rows->n, sizeof *rows->rows, by_total_desc);
    return rc;
}

static void over_row(void *ctx, const struct quota_usage *u)
{
    struct web_ctx *c = ctx;
    uint64_t pct = quota_percent_x100(u);
    fputs("<tr><th scope=\"row\">", c->out);
    account_link(c, u->sub.account);
    fputs("</th><td>", c->out);
    page_text(c, u->sub.plan);
    fputs("</td>", c->out);
    bytes_cell(c, u->used_bytes);
    bytes_cell(c, u->plan.quota_bytes);
    fprintf(c->out, "<td class=\"n\">%llu.%02llu%%</td></tr>\n", (unsigned long long)(pct / 100),
            (unsigned long long)(pct % 100));
}

static void subscriber_row(void *ctx, const struct subscriber *s)
{
    struct web_ctx *c = ctx;
    fputs("<tr><th scope=\"row\">", c->out);
    account_link(c, s->account);
    fputs("</th><td>", c->out);
    page_text(c, s->name);
    fputs("</td><td>", c->out);
    page_text(c, s->plan);
    fputs("</td><td>", c->out);
    page_text(c, s->status);
    fputs("</td></tr>\n", c->out);
}

void page_staff(struct web_ctx *c)
{
    char errbuf[ERR_BUF_LEN];
    struct report_rows top;
    if (top_rows(c, local_midnight(c->now_ms), USAGE_BY_SUBSCRIBER, -1, &top, errbuf) != 0) {
        web_store_failed(c, "staff page");
        return;
    }
    page_begin(c, "Subscribers");
    fputs("<section><h2>Top talkers today</h2>\n<table><thead><tr><th scope=\"col\">"
          "Subscriber</th><th scope=\"col\" class=\"n\">Download</th><th scope=\"col\" "
          "class=\"n\">Upload</th></tr></thead><tbody>\n",
          c->out);
    for (size_t i = 0; i < top.n && i < TOP_N; i++) {
        const struct report_row *r = &top.rows[i];
        const char *account = r->key[REPORT_KEY_SUBSCRIBER];
        fputs("<tr><th scope=\"row\">", c->out);
        if (account && account[0] != '(')
            account_link(c, account);
        else
            page_text(c, account ? account : "");
        fputs("</th>", c->out);
        bytes_cell(c, r->dir[FLOW_DIR_IN].bytes);
        bytes_cell(c, r->dir[FLOW_DIR_OUT].bytes);
        fputs("</tr>\n", c->out);
    }
    report_rows_free(&top);
    fputs("</tbody></table></section>\n<section><h2>Over quota</h2>\n<table><thead><tr>"
          "<th scope=\"col\">Subscriber</th><th scope=\"col\">Plan</th><th scope=\"col\" "
          "class=\"n\">Used</th><th scope=\"col\" class=\"n\">Quota</th><th scope=\"col\" "
          "class=\"n\">Used of quota</th></tr></thead><tbody>\n",
          c->out);
    int rc = report_over_quota(c->store, c->now_ms, over_row, c, errbuf);
    fputs("</tbody></table></section>\n<section><h2>All subscribers</h2>\n<table><thead><tr>"
          "<th scope=\"col\">Account</th><th scope=\"col\">Name</th><th scope=\"col\">Plan</th>"
          "<th scope=\"col\">Status</th></tr></thead><tbody>\n",
          c->out);
    if (rc == 0)
        rc = store_subscriber_list(c->store, subscriber_row, c);
    fputs("</tbody></table></section>\n", c->out);
    if (rc != 0) {
        page_discard(c);
        web_store_failed(c, "staff page");
        return;
    }
    page_end(c);
    web_html(c, 200);
}

void page_staff_subscriber(struct web_ctx *c)
{
    int rc = usage_page(c, c->tail, form_get(&c->query, "cycle"), true);
    if (rc == ERR_NOT_FOUND)
        web_not_found(c);
    else if (rc != 0)
        web_store_failed(c, "subscriber page");
}

/* The month before or after "YYYY-MM" (step -1 or 1). buf: 16 bytes. */
static const char *month_step(const char *cycle, int step, char *buf)
{
    int year = atoi(cycle), month = atoi(cycle + 5) - 1 + step; /* from 0: -1 to 12 */
    year += month < 0 ? -1 : month / 12;
    /* the ranges written out, so the compiler sees that the text fits */
    snprintf(buf, 16, "%04d-%02d", (year % 10000 + 10000) % 10000, (month + 12) % 12 + 1);
    return buf;
}

/* The documents issued for the cycles that start in one month (?cycle=YYYY-MM; by default
 * the month before this one, the last that can have been closed). */
void page_staff_invoices(struct web_ctx *c)
{
    const char *cycle = form_get(&c->query, "cycle");
    char last[16], before[16], after[16], title[48];
    if (!cycle) {
        time_t t = (time_t)(c->now_ms / 1000);
        struct tm tm;
        localtime_r(&t, &tm);
        strftime(last, sizeof last, "%Y-%m", &tm);
        cycle = month_step(last, -1, last);
    } else if (!invoices_cycle_ok(cycle)) {
        web_error(c, 400, "Expected a cycle as YYYY-MM");
        return;
    }
    snprintf(title, sizeof title, "Bills of %s", cycle);
    page_begin(c, title);
    fprintf(c->out,
            "<p class=\"views\">Documents issued for the cycles that start in %s, in the order "
            "issued. <a href=\"/staff/invoices?cycle=%s\">%s</a> &middot; <a "
            "href=\"/staff/invoices?cycle=%s\">%s</a></p>\n",
            cycle, month_step(cycle, -1, before), before, month_step(cycle, 1, after), after);
    if (invoices_section(c, -1, cycle, INVOICES_COL_ACCOUNT) != 0) {
        page_discard(c);
        web_store_failed(c, "bills page");
        return;
    }
    page_end(c);
    web_html(c, 200);
}

void page_staff_unassigned(struct web_ctx *c)
{
    char errbuf[ERR_BUF_LEN];
    struct report_rows rows;
    if (top_rows(c, c->now_ms - 86400000, USAGE_BY_HOST, 0, &rows, errbuf) != 0) {
        web_store_failed(c, "unassigned page");
        return;
    }
    page_begin(c, "Unassigned traffic");
    fputs("<section><p>Local addresses no subscriber held, in the last 24 hours, largest "
          "first.</p>\n<table><thead><tr><th scope=\"col\">Address</th><th scope=\"col\" "
          "class=\"n\">Download</th><th scope=\"col\" class=\"n\">Upload</th></tr></thead>"
          "<tbody>\n",
          c->out);
    for (size_t i = 0; i < rows.n && i < UNASSIGNED_N; i++) {
        fputs("<tr><th scope=\"row\">", c->out);
        page_text(c, rows.rows[i].key[REPORT_KEY_HOST] ? rows.rows[i].key[REPORT_KEY_HOST] : "");
        fputs("</th>", c->out);
        bytes_cell(c, rows.rows[i].dir[FLOW_DIR_IN].bytes);
        bytes_cell(c, rows.rows[i].dir[FLOW_DIR_OUT].bytes);
        fputs("</tr>\n", c->out);
    }
    fputs("</tbody></table></section>\n", c->out);
    report_rows_free(&rows);
    page_end(c);
    web_html(c, 200);
}

static void stat_row(void *ctx, const struct stat_row *r)
{
    struct web_ctx *c = ctx;
    fputs("<tr><th scope=\"row\">", c->out);
    page_text(c, r->exporter);
    fprintf(c->out, "</th><td class=\"n\">%u</td><td class=\"n\">%lu</td><td>", r->version,
            (unsigned long)r->domain);
    page_text(c, r->name);
    fprintf(c->out, "</td><td class=\"n\">%llu</td></tr>\n", (unsigned long long)r->value);
}

/* One exporter's line of the health view, as `flowtally stats` prints it. */
static void health_row(struct web_ctx *c, const struct health *h, const struct health_exporter *e)
{
    struct health_line l;
    health_line_of(h, e, &l);
    fputs("<tr><th scope=\"row\">", c->out);
    page_text(c, e->exporter);
    /* the verdict next to the exporter: the one cell a glance needs, never scrolled off */
    fprintf(c->out, "</th><td data-verdict=\"%s\">", health_verdict_word(l.verdict));
    page_text(c, l.verdict_text);
    fputs("</td><td>", c->out);
    page_text(c, l.last_seen);
    fprintf(c->out, "</td><td class=\"n\">%llu s</td>", (unsigned long long)l.ago_s);
    const char *cells[] = {l.rec, l.rec_hour, l.bytes_unit, l.bytes_hour_unit, l.dg, l.dg_hour};
    for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++) {
        fputs("<td class=\"n\">", c->out);
        page_text(c, cells[i]);
        fputs("</td>", c->out);
    }
    fprintf(c->out,
            "<td class=\"n\">%llu</td><td class=\"n\">%llu</td><td class=\"n\">%llu</td>"
            "<td class=\"n\">%s%%</td></tr>\n",
            (unsigned long long)e->hour.lost, (unsigned long long)e->hour.lost_datagrams,
            (unsigned long long)e->hour.dropped, l.loss);
}

/* The health view of every exporter: one row each, as `flowtally stats` at c->now_ms. */
static void health_section(struct web_ctx *c, const struct health *h)
{
    char when[32];
    fputs("<section><h2>Health</h2>\n", c->out);
    if (!h->has_flush) {
        fputs("<p>No flush recorded yet: has <code>flowtally run</code> written this store?</p>"
              "</section>\n",
              c->out);
        return;
    }
    time_t t = (time_t)(h->last_flush_ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
    fprintf(
        c->out,
        "<p>Last flush %s, %llu ms after the one before. Rates over the last flush interval "
        "and over the flushes of the last hour (%llu ms); silent after %llu s unseen; "
        "losing above 1%% lost in the hour.</p>\n",
        when, (unsigned long long)h->flush_interval_ms, (unsigned long long)h->hour_span_ms,
        (unsigned long long)(health_silent_ms(h->silent_after_ms, h->flush_interval_ms) / 1000));
    /* fourteen columns: the table scrolls inside its card, not the page (030's screenshot) */
    fputs("<div class=\"scroll\"><table id=\"health\"><thead><tr><th scope=\"col\">Exporter</th>"
          "<th scope=\"col\">Verdict</th>"
          "<th scope=\"col\">Last seen</th><th scope=\"col\" class=\"n\">Ago</th>"
          "<th scope=\"col\" class=\"n\">Records/s</th>"
          "<th scope=\"col\" class=\"n\">Records/s 1h</th>"
          "<th scope=\"col\" class=\"n\">Bytes/s</th>"
          "<th scope=\"col\" class=\"n\">Bytes/s 1h</th>"
          "<th scope=\"col\" class=\"n\">Datagrams/s</th>"
          "<th scope=\"col\" class=\"n\">Datagrams/s 1h</th>"
          "<th scope=\"col\" class=\"n\">Lost 1h</th>"
          "<th scope=\"col\" class=\"n\">Lost datagrams</th>"
          "<th scope=\"col\" class=\"n\">Dropped</th><th scope=\"col\" class=\"n\">Loss</th>"
          "</tr></thead><tbody>\n",
          c->out);
    for (size_t i = 0; i < h->n; i++)
        health_row(c, h, &h->ex[i]);
    fputs("</tbody></table></div></section>\n", c->out);
}

void page_staff_exporters(struct web_ctx *c)
{
    char errbuf[ERR_BUF_LEN];
    struct health h;
    if (health_read(c->store, c->now_ms, HEALTH_SILENT_AFTER_MS, &h, errbuf) != 0) {
        web_store_failed(c, "exporters page");
        return;
    }
    page_begin(c, "Exporters");
    health_section(c, &h);
    health_free(&h);
    fputs("<section><details><summary>Collector counters since the store was made</summary>\n"
          "<p>Per exporter stream (address, version, domain); \"*\" is the collector itself."
          "</p>\n<table><thead><tr>"
          "<th scope=\"col\">Exporter</th><th scope=\"col\" class=\"n\">Version</th>"
          "<th scope=\"col\" class=\"n\">Domain</th><th scope=\"col\">Counter</th>"
          "<th scope=\"col\" class=\"n\">Value</th></tr></thead><tbody>\n",
          c->out);
    int rc = c->store->ops->read_stats(c->store, stat_row, c);
    fputs("</tbody></table></details></section>\n", c->out);
    if (rc != 0) {
        page_discard(c);
        web_store_failed(c, "exporters page");
        return;
    }
    page_end(c);
    web_html(c, 200);
}
