// SPDX-License-Identifier: MIT
// Exporter health (health.h): the store's flush rows of the last hour read into one entry
// per exporter, the rates and shares worked out in integers (tenths, rounded half up), the
// verdict, and the three printers. Local time appears only in the table.
#include "health.h"

#include "../base/units.h"
#include "../base/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef unsigned __int128 u128;

void health_free(struct health *h)
{
    free(h->ex);
    h->ex = NULL;
    h->n = h->cap = 0;
}

static void counts_add(struct health_counts *c, const struct seen_row *r)
{
    c->packets += r->packets;
    c->records += r->records;
    c->lost += r->lost;
    c->lost_datagrams += r->lost_datagrams;
    c->dropped += r->dropped;
    c->bytes += r->bytes;
}

struct read_state {
    struct health *h;
    uint64_t hour_from_ms; /* rows after it are the last hour's */
    uint64_t span_start_ms, span_end_ms;
    bool has_span;
};

/* The flush's own row: the latest says when the collector last flushed; those of the hour
 * say what time the hour's rows cover. */
static void flush_row(struct read_state *rs, const struct seen_row *r)
{
    struct health *h = rs->h;
    if (!h->has_flush || r->at_ms >= h->last_flush_ms) {
        h->has_flush = true;
        h->last_flush_ms = r->at_ms;
        h->flush_interval_ms = r->interval_ms;
    }
    if (r->at_ms <= rs->hour_from_ms)
        return;
    uint64_t start = r->at_ms > r->interval_ms ? r->at_ms - r->interval_ms : 0;
    if (!rs->has_span || start < rs->span_start_ms)
        rs->span_start_ms = start;
    if (!rs->has_span || r->at_ms > rs->span_end_ms)
        rs->span_end_ms = r->at_ms;
    rs->has_span = true;
}

/* Rows come by exporter, then time: a new text starts a new entry. */
static void on_row(void *ctx, const struct seen_row *r)
{
    struct read_state *rs = ctx;
    struct health *h = rs->h;
    if (r->at_ms > h->now_ms)
        return; /* after the time asked about (--at) */
    if (strcmp(r->exporter, "*") == 0) {
        flush_row(rs, r);
        return;
    }
    struct health_exporter *e = h->n ? &h->ex[h->n - 1] : NULL;
    if (!e || strcmp(e->exporter, r->exporter) != 0) {
        if (h->n == h->cap) {
            h->cap = h->cap ? 2 * h->cap : 16;
            h->ex = xrealloc(h->ex, h->cap * sizeof *h->ex);
        }
        e = &h->ex[h->n++];
        *e = (struct health_exporter){0};
        snprintf(e->exporter, sizeof e->exporter, "%s", r->exporter);
        e->is_addr = addr_parse(r->exporter, &e->addr) == 0;
    }
    if (r->at_ms >= e->last_ms) {
        e->last_ms = r->at_ms;
        e->last_interval = r->interval_ms;
        e->last = (struct health_counts){0};
        counts_add(&e->last, r);
    }
    if (r->at_ms > rs->hour_from_ms)
        counts_add(&e->hour, r);
}

int health_compare(const void *a, const void *b)
{
    const struct health_exporter *x = a, *y = b;
    if (x->is_addr != y->is_addr)
        return x->is_addr ? -1 : 1;
    if (!x->is_addr)
        return strcmp(x->exporter, y->exporter);
    bool x4 = addr_is_v4(&x->addr), y4 = addr_is_v4(&y->addr);
    if (x4 != y4)
        return x4 ? -1 : 1;
    return memcmp(x->addr.b, y->addr.b, sizeof x->addr.b);
}

int health_read(struct store *s, uint64_t now_ms, uint64_t silent_after_ms, struct health *h,
                char *errbuf)
{
    *h = (struct health){.now_ms = now_ms, .silent_after_ms = silent_after_ms};
    struct read_state rs = {.h = h,
                            .hour_from_ms = now_ms > HEALTH_HOUR_MS ? now_ms - HEALTH_HOUR_MS : 0};
    int rc = s->ops->seen_read(s, rs.hour_from_ms + 1, on_row, &rs);
    if (rc != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "could not read what the flushes saw: %s",
                 s->ops->last_error(s));
        health_free(h);
        return rc;
    }
    if (rs.has_span)
        h->hour_span_ms = rs.span_end_ms - rs.span_start_ms;
    for (size_t i = 0; i < h->n; i++) {
        struct health_exporter *e = &h->ex[i];
        /* In the latest flush, or written after the flush before it (another collector's
         * flush of the same interval). */
        e->in_last_flush = h->has_flush && (e->last_ms == h->last_flush_ms ||
                                            e->last_ms + h->flush_interval_ms > h->last_flush_ms);
    }
    if (h->n > 1)
        qsort(h->ex, h->n, sizeof *h->ex, health_compare);
    return 0;
}

uint64_t health_rate_x10(uint64_t count, uint64_t ms)
{
    if (ms == 0)
        return 0;
    return (uint64_t)(((u128)count * 20000 + ms) / ((u128)ms * 2));
}

uint64_t health_loss_x10(const struct health_counts *c, bool *losing)
{
    u128 rec_num = (u128)c->lost + c->dropped, rec_den = rec_num + c->records;
    u128 dg_num = c->lost_datagrams, dg_den = dg_num + c->packets;
    /* the larger share: rec_num/rec_den against dg_num/dg_den, crosswise (no division) */
    bool records_larger = rec_num * (dg_den ? dg_den : 1) >= dg_num * (rec_den ? rec_den : 1);
    u128 num = records_larger ? rec_num : dg_num, den = records_larger ? rec_den : dg_den;
    *losing = den > 0 && num * 100 > den * HEALTH_LOSING_PERCENT;
    if (den == 0)
        return 0;
    return (uint64_t)((num * 2000 + den) / (den * 2));
}

uint64_t health_silent_ms(uint64_t silent_after_ms, uint64_t flush_interval_ms)
{
    uint64_t intervals = HEALTH_SILENT_INTERVALS * flush_interval_ms;
    return intervals > silent_after_ms ? intervals : silent_after_ms;
}

enum health_verdict health_judge(const struct health *h, const struct health_exporter *e)
{
    uint64_t unseen = h->now_ms > e->last_ms ? h->now_ms - e->last_ms : 0;
    if (unseen > health_silent_ms(h->silent_after_ms, h->flush_interval_ms))
        return HEALTH_SILENT;
    bool losing;
    health_loss_x10(&e->hour, &losing);
    return losing ? HEALTH_LOSING : HEALTH_OK;
}

int health_parse_seconds(const char *s, uint64_t *ms)
{
    uint64_t v = 0;
    size_t n = 0;
    for (; s[n] >= '0' && s[n] <= '9' && n < 7; n++)
        v = v * 10 + (uint64_t)(s[n] - '0');
    if (n == 0 || s[n] != '\0' || v < 1 || v > 604800)
        return ERR_MALFORMED;
    *ms = v * 1000;
    return 0;
}

/* ---- printing ---- */

static void tenths(char *buf, size_t size, uint64_t x10)
{
    snprintf(buf, size, "%llu.%llu", (unsigned long long)(x10 / 10),
             (unsigned long long)(x10 % 10));
}

static void local_time(uint64_t ms, char *buf, size_t size)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
}

/* Whole bytes per second (the tenths dropped) in the tables' decimal units, "/s" after. */
static void bytes_rate(char *buf, size_t size, uint64_t x10)
{
    char b[32];
    snprintf(buf, size, "%s/s", units_format_bytes(x10 / 10, b));
}

void health_line_of(const struct health *h, const struct health_exporter *e, struct health_line *l)
{
    bool losing;
    *l = (struct health_line){.verdict = health_judge(h, e)};
    l->ago_s = h->now_ms > e->last_ms ? (h->now_ms - e->last_ms) / 1000 : 0;
    if (e->in_last_flush) {
        l->rec_x10 = health_rate_x10(e->last.records, e->last_interval);
        l->bytes_x10 = health_rate_x10(e->last.bytes, e->last_interval);
        l->dg_x10 = health_rate_x10(e->last.packets, e->last_interval);
    }
    l->rec_hour_x10 = health_rate_x10(e->hour.records, h->hour_span_ms);
    l->bytes_hour_x10 = health_rate_x10(e->hour.bytes, h->hour_span_ms);
    l->dg_hour_x10 = health_rate_x10(e->hour.packets, h->hour_span_ms);
    l->loss_x10 = health_loss_x10(&e->hour, &losing);
    tenths(l->rec, sizeof l->rec, l->rec_x10);
    tenths(l->rec_hour, sizeof l->rec_hour, l->rec_hour_x10);
    tenths(l->bytes, sizeof l->bytes, l->bytes_x10);
    tenths(l->bytes_hour, sizeof l->bytes_hour, l->bytes_hour_x10);
    tenths(l->dg, sizeof l->dg, l->dg_x10);
    tenths(l->dg_hour, sizeof l->dg_hour, l->dg_hour_x10);
    tenths(l->loss, sizeof l->loss, l->loss_x10);
    bytes_rate(l->bytes_unit, sizeof l->bytes_unit, l->bytes_x10);
    bytes_rate(l->bytes_hour_unit, sizeof l->bytes_hour_unit, l->bytes_hour_x10);
    local_time(e->last_ms, l->last_seen, sizeof l->last_seen);
    if (l->verdict == HEALTH_SILENT)
        snprintf(l->verdict_text, sizeof l->verdict_text, "silent since %s", l->last_seen);
    else if (l->verdict == HEALTH_LOSING)
        snprintf(l->verdict_text, sizeof l->verdict_text, "losing %s%%", l->loss);
    else
        snprintf(l->verdict_text, sizeof l->verdict_text, "ok");
}

const char *health_verdict_word(enum health_verdict v)
{
    return v == HEALTH_SILENT ? "silent" : v == HEALTH_LOSING ? "losing" : "ok";
}

#define TABLE_ROW "%-24s %-19s %8s %10s %10s %11s %11s %10s %10s %8s %8s %8s %7s  %s\n"

static void print_table(const struct health *h, FILE *out)
{
    char when[32], ago[32], interval[32], span[32];
    if (!h->has_flush) {
        fprintf(out, "no flush recorded: has `flowtally run` written this store since it was "
                     "made (or migrated to schema 13)?\n");
        return;
    }
    local_time(h->last_flush_ms, when, sizeof when);
    tenths(interval, sizeof interval, (h->flush_interval_ms + 50) / 100);
    tenths(span, sizeof span, (h->hour_span_ms + 50) / 100);
    fprintf(out,
            "last flush %s (%llu s ago), %s s after the one before; silent after %llu s; "
            "the last hour's flushes cover %s s\n",
            when,
            (unsigned long long)(h->now_ms > h->last_flush_ms
                                     ? (h->now_ms - h->last_flush_ms) / 1000
                                     : 0),
            interval,
            (unsigned long long)(health_silent_ms(h->silent_after_ms, h->flush_interval_ms) / 1000),
            span);
    fprintf(out, TABLE_ROW, "exporter", "last seen", "ago", "records/s", "rec/s 1h", "bytes/s",
            "bytes/s 1h", "dgrams/s", "dgr/s 1h", "lost 1h", "lost dg", "dropped", "loss",
            "verdict");
    for (size_t i = 0; i < h->n; i++) {
        const struct health_exporter *e = &h->ex[i];
        struct health_line l;
        health_line_of(h, e, &l);
        snprintf(ago, sizeof ago, "%llu s", (unsigned long long)l.ago_s);
        char lost[24], lost_dg[24], dropped[24], loss[40];
        snprintf(lost, sizeof lost, "%llu", (unsigned long long)e->hour.lost);
        snprintf(lost_dg, sizeof lost_dg, "%llu", (unsigned long long)e->hour.lost_datagrams);
        snprintf(dropped, sizeof dropped, "%llu", (unsigned long long)e->hour.dropped);
        snprintf(loss, sizeof loss, "%s%%", l.loss);
        fprintf(out, TABLE_ROW, e->exporter, l.last_seen, ago, l.rec, l.rec_hour, l.bytes_unit,
                l.bytes_hour_unit, l.dg, l.dg_hour, lost, lost_dg, dropped, loss, l.verdict_text);
    }
}

static const char *const csv_columns[] = {"exporter",
                                          "last_seen",
                                          "last_seen_ago_s",
                                          "records_per_s",
                                          "records_per_s_1h",
                                          "bytes_per_s",
                                          "bytes_per_s_1h",
                                          "datagrams_per_s",
                                          "datagrams_per_s_1h",
                                          "records_1h",
                                          "bytes_1h",
                                          "datagrams_1h",
                                          "lost_1h",
                                          "lost_datagrams_1h",
                                          "dropped_1h",
                                          "loss_percent_1h",
                                          "verdict",
                                          "silent_since",
                                          NULL};

static void print_csv(const struct health *h, FILE *out)
{
    struct csv c;
    csv_init(&c, out);
    csv_header(&c, csv_columns);
    for (size_t i = 0; i < h->n; i++) {
        const struct health_exporter *e = &h->ex[i];
        struct health_line l;
        health_line_of(h, e, &l);
        csv_text(&c, e->exporter);
        csv_u64(&c, e->last_ms / 1000);
        csv_u64(&c, l.ago_s);
        csv_number(&c, l.rec);
        csv_number(&c, l.rec_hour);
        csv_number(&c, l.bytes);
        csv_number(&c, l.bytes_hour);
        csv_number(&c, l.dg);
        csv_number(&c, l.dg_hour);
        csv_u64(&c, e->hour.records);
        csv_u64(&c, e->hour.bytes);
        csv_u64(&c, e->hour.packets);
        csv_u64(&c, e->hour.lost);
        csv_u64(&c, e->hour.lost_datagrams);
        csv_u64(&c, e->hour.dropped);
        csv_number(&c, l.loss);
        csv_text(&c, health_verdict_word(l.verdict));
        if (l.verdict == HEALTH_SILENT)
            csv_u64(&c, e->last_ms / 1000);
        else
            csv_number(&c, "");
        csv_end_row(&c);
    }
}

static void print_json(const struct health *h, FILE *out)
{
    struct json j;
    json_init(&j, out);
    json_object_begin(&j);
    json_member_u64(&j, "now", h->now_ms / 1000);
    json_key(&j, "last_flush");
    if (h->has_flush)
        json_u64(&j, h->last_flush_ms / 1000);
    else
        json_null(&j);
    json_member_u64(&j, "flush_interval_ms", h->flush_interval_ms);
    json_member_u64(&j, "silent_after_s",
                    health_silent_ms(h->silent_after_ms, h->flush_interval_ms) / 1000);
    json_member_u64(&j, "hour_span_ms", h->hour_span_ms);
    json_key(&j, "exporters");
    json_rows_begin(&j);
    for (size_t i = 0; i < h->n; i++) {
        const struct health_exporter *e = &h->ex[i];
        struct health_line l;
        health_line_of(h, e, &l);
        json_object_begin(&j);
        json_member_str(&j, "exporter", e->exporter);
        json_member_u64(&j, "last_seen", e->last_ms / 1000);
        json_member_u64(&j, "last_seen_ago_s", l.ago_s);
        json_member_str(&j, "records_per_s", l.rec);
        json_member_str(&j, "records_per_s_1h", l.rec_hour);
        json_member_str(&j, "bytes_per_s", l.bytes);
        json_member_str(&j, "bytes_per_s_1h", l.bytes_hour);
        json_member_str(&j, "datagrams_per_s", l.dg);
        json_member_str(&j, "datagrams_per_s_1h", l.dg_hour);
        json_member_u64(&j, "records_1h", e->hour.records);
        json_member_u64(&j, "bytes_1h", e->hour.bytes);
        json_member_u64(&j, "datagrams_1h", e->hour.packets);
        json_member_u64(&j, "lost_1h", e->hour.lost);
        json_member_u64(&j, "lost_datagrams_1h", e->hour.lost_datagrams);
        json_member_u64(&j, "dropped_1h", e->hour.dropped);
        json_member_str(&j, "loss_percent_1h", l.loss);
        json_member_str(&j, "verdict", health_verdict_word(l.verdict));
        json_key(&j, "silent_since");
        if (l.verdict == HEALTH_SILENT)
            json_u64(&j, e->last_ms / 1000);
        else
            json_null(&j);
        json_object_end(&j);
    }
    json_array_end(&j);
    json_object_end(&j);
    fputc('\n', out);
}

void health_print(const struct health *h, enum report_format f, FILE *out)
{
    if (f == REPORT_CSV)
        print_csv(h, out);
    else if (f == REPORT_JSON)
        print_json(h, out);
    else
        print_table(h, out);
}
