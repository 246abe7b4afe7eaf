// SPDX-License-Identifier: MIT
// Export rows are written as they are read; the documents of one cycle are few enough
// (one per subscriber, and its notes) to hold while their numbers are looked up.
#include "export.h"

#include "../base/csv.h"
#include "../base/err.h"
#include "../base/json.h"
#include "../base/units.h"
#include "../base/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *export_number(const struct invoice_row *inv, char *buf)
{
    const char *prefix = strcmp(inv->kind, "credit") == 0  ? "C-"
                         : strcmp(inv->kind, "debit") == 0 ? "D-"
                                                           : "";
    snprintf(buf, 32, "%s%lld", prefix, (long long)inv->number);
    return buf;
}

int export_find(struct store *s, const char *number, struct invoice_row *out)
{
    const char *kind = "invoice", *digits = number;
    if (strncmp(number, "C-", 2) == 0 || strncmp(number, "D-", 2) == 0) {
        kind = number[0] == 'C' ? "credit" : "debit";
        digits = number + 2;
    }
    char *end;
    long long n = strtoll(digits, &end, 10);
    if (!*digits || *end || n < 1)
        return ERR_MALFORMED;
    return store_invoice_get(s, kind, n, out);
}

const char *export_time(uint64_t ms, char *buf)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    char zone[8];
    strftime(buf, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    strftime(zone, sizeof zone, "%z", &tm); /* +0100: ISO 8601 wants +01:00 */
    size_t n = strlen(buf);
    snprintf(buf + n, 32 - n, "%.3s:%.2s", zone, zone + 3);
    return buf;
}

struct docs {
    struct invoice_row *rows;
    size_t n;
};

static void add_doc(void *ctx, const struct invoice_row *inv)
{
    struct docs *d = ctx;
    d->rows = xrealloc(d->rows, (d->n + 1) * sizeof *d->rows);
    d->rows[d->n++] = *inv;
}

/* The number of the document with id, among those of the cycle ("" when not there). */
static const char *number_of(const struct docs *d, int64_t id, char *buf)
{
    buf[0] = '\0';
    for (size_t i = 0; i < d->n; i++)
        if (d->rows[i].id == id)
            return export_number(&d->rows[i], buf);
    return buf;
}

static const char *const doc_columns[] = {
    "invoice",  "subscriber", "plan",   "cycle_start", "cycle_end", "used_bytes", "quota_bytes",
    "subtotal", "tax",        "total",  "currency",    "kind",      "refers_to",  "cycle",
    "unit",     "tax_rate",   "issued", "name",        NULL};

static const char *const line_columns[] = {"invoice", "subscriber", "kind",       "class",
                                           "bytes",   "quantity",   "unit_price", "amount",
                                           "cycle",   "seq",        "text",       NULL};

static void doc_row(const struct docs *d, const struct invoice_row *inv, bool json, FILE *out)
{
    char num[32], ref[32], start[32], end[32], issued[32], sub[32], tax[32], total[32], rate[32];
    export_number(inv, num);
    number_of(d, inv->refers_to, ref);
    export_time(inv->cycle_start_ms, start);
    export_time(inv->cycle_end_ms, end);
    export_time(inv->issued_ms, issued);
    units_format_cents(inv->subtotal_cents, sub);
    units_format_cents(inv->tax_cents, tax);
    units_format_cents(inv->total_cents, total);
    units_format_money(inv->tax_rate_micro, rate);
    if (json) {
        struct json j;
        json_init(&j, out);
        json_object_begin(&j);
        json_member_str(&j, "invoice", num);
        json_member_str(&j, "subscriber", inv->account);
        json_member_str(&j, "plan", inv->plan);
        json_member_str(&j, "cycle_start", start);
        json_member_str(&j, "cycle_end", end);
        json_member_u64(&j, "used_bytes", inv->used_bytes);
        json_key(&j, "quota_bytes");
        if (inv->unlimited)
            json_null(&j);
        else
            json_u64(&j, inv->quota_bytes);
        json_member_str(&j, "subtotal", sub);
        json_member_str(&j, "tax", tax);
        json_member_str(&j, "total", total);
        json_member_str(&j, "currency", inv->currency);
        json_member_str(&j, "kind", inv->kind);
        json_member_str(&j, "refers_to", ref);
        json_member_str(&j, "cycle", inv->cycle);
        json_member_str(&j, "unit", inv->unit);
        json_member_str(&j, "tax_rate", rate);
        json_member_str(&j, "issued", issued);
        json_member_str(&j, "name", inv->name);
        json_object_end(&j);
        fputc('\n', out);
        return;
    }
    struct csv c;
    csv_init(&c, out);
    csv_text(&c, num);
    csv_text(&c, inv->account);
    csv_text(&c, inv->plan);
    csv_text(&c, start);
    csv_text(&c, end);
    csv_u64(&c, inv->used_bytes);
    if (inv->unlimited)
        csv_text(&c, "");
    else
        csv_u64(&c, inv->quota_bytes);
    csv_number(&c, sub);
    csv_number(&c, tax);
    csv_number(&c, total);
    csv_text(&c, inv->currency);
    csv_text(&c, inv->kind);
    csv_text(&c, ref);
    csv_text(&c, inv->cycle);
    csv_text(&c, inv->unit);
    csv_number(&c, rate);
    csv_text(&c, issued);
    csv_text_quoted(&c, inv->name);
    csv_end_row(&c);
}

struct line_ctx {
    const struct invoice_row *inv;
    bool json;
    FILE *out;
};

static void line_row(void *ctx, const struct invoice_line *l)
{
    struct line_ctx *lc = ctx;
    char num[32], price[32], amount[32];
    export_number(lc->inv, num);
    units_format_money(l->unit_price_micro, price);
    units_format_cents(l->amount_cents, amount);
    if (lc->json) {
        struct json j;
        json_init(&j, lc->out);
        json_object_begin(&j);
        json_member_str(&j, "invoice", num);
        json_member_str(&j, "subscriber", lc->inv->account);
        json_member_str(&j, "kind", l->kind);
        json_member_str(&j, "class", l->class_name);
        json_member_u64(&j, "bytes", l->bytes);
        json_member_str(&j, "quantity", l->quantity);
        json_member_str(&j, "unit_price", price);
        json_member_str(&j, "amount", amount);
        json_member_str(&j, "cycle", l->cycle);
        json_member_u64(&j, "seq", (uint64_t)l->seq);
        json_member_str(&j, "text", l->text);
        json_object_end(&j);
        fputc('\n', lc->out);
        return;
    }
    struct csv c;
    csv_init(&c, lc->out);
    csv_text(&c, num);
    csv_text(&c, lc->inv->account);
    csv_text(&c, l->kind);
    csv_text(&c, l->class_name);
    csv_u64(&c, l->bytes);
    csv_number(&c, l->quantity);
    csv_number(&c, price);
    csv_number(&c, amount);
    csv_text(&c, l->cycle);
    csv_u64(&c, (uint64_t)l->seq);
    csv_text_quoted(&c, l->text);
    csv_end_row(&c);
}

int export_invoices(struct store *s, const char *cycle, bool json, bool lines, FILE *out,
                    char *errbuf)
{
    struct docs d = {0};
    struct invoice_query q = {.cycle = cycle, .subscriber_id = -1};
    int rc = store_invoice_list(s, &q, add_doc, &d);
    if (rc == 0 && !json) {
        struct csv c;
        csv_init(&c, out);
        csv_header(&c, lines ? line_columns : doc_columns);
    }
    for (size_t i = 0; rc == 0 && i < d.n; i++) {
        if (!lines) {
            doc_row(&d, &d.rows[i], json, out);
            continue;
        }
        struct line_ctx lc = {&d.rows[i], json, out};
        rc = store_invoice_lines(s, d.rows[i].id, line_row, &lc);
    }
    if (rc != 0)
        snprintf(errbuf, ERR_BUF_LEN, "reading invoices: %s", s->ops->last_error(s));
    free(d.rows);
    return rc == 0 ? 0 : ERR_STORE;
}

/* ---- the daily chart's data ---- */

struct day_scan {
    struct export_day *days;
    uint64_t *starts_s; /* local midnight of each day */
    size_t n;
};

static void day_row(void *ctx, const struct usage_result *r)
{
    struct day_scan *ds = ctx;
    uint64_t b = (uint64_t)r->period;
    size_t lo = 0, hi = ds->n; /* the last day starting at or before the bucket */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ds->starts_s[mid] <= b)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return;
    if (r->dir == FLOW_DIR_IN)
        ds->days[lo - 1].bytes_in += r->counts.bytes;
    else if (r->dir == FLOW_DIR_OUT)
        ds->days[lo - 1].bytes_out += r->counts.bytes;
}

int export_days(struct store *s, const struct invoice_row *inv, struct export_day **days, size_t *n,
                char *errbuf)
{
    struct day_scan ds = {0};
    time_t t = (time_t)(inv->cycle_start_ms / 1000);
    while ((uint64_t)t * 1000 < inv->cycle_end_ms && ds.n < 400) {
        ds.days = xrealloc(ds.days, (ds.n + 1) * sizeof *ds.days);
        ds.starts_s = xrealloc(ds.starts_s, (ds.n + 1) * sizeof *ds.starts_s);
        struct tm tm;
        localtime_r(&t, &tm);
        memset(&ds.days[ds.n], 0, sizeof ds.days[ds.n]);
        strftime(ds.days[ds.n].date, sizeof ds.days[ds.n].date, "%Y-%m-%d", &tm);
        ds.starts_s[ds.n++] = (uint64_t)t;
        tm.tm_mday++; /* the next local midnight, whatever the offset then */
        tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
        tm.tm_isdst = -1;
        t = mktime(&tm);
    }
    struct usage_query q = {.from_ms = inv->cycle_start_ms,
                            .to_ms = inv->cycle_end_ms,
                            .subscriber_id = inv->subscriber_id};
    int rc = store_scan_usage(s, &q, day_row, &ds);
    free(ds.starts_s);
    if (rc != 0) {
        free(ds.days);
        snprintf(errbuf, ERR_BUF_LEN, "reading usage: %s", s->ops->last_error(s));
        return ERR_STORE;
    }
    *days = ds.days;
    *n = ds.n;
    return 0;
}
