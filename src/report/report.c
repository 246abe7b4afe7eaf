// SPDX-License-Identifier: MIT
// Usage and counter reports out of the store. Usage rows arrive from the store grouped by
// the requested keys and by direction; here the directions of one key become one row, rows
// are sorted (addresses numerically, IPv4 first) and printed as a table, CSV or JSON.
#include "report.h"

#include "../base/addr.h"
#include "../base/csv.h"
#include "../base/json.h"
#include "../base/xalloc.h"
#include "../flow/usage.h"
#include "../store/store.h"
#include "periods.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The key columns, in output order. */
enum key_col { KEY_SUBSCRIBER, KEY_HOST, KEY_CLASS, KEY_APP, KEY_PERIOD, KEY_COUNT };

static const char *const key_names[KEY_COUNT] = {"subscriber", "host", "class", "app", "period"};

struct report_row {
    char *key[KEY_COUNT]; /* owned; NULL for keys not grouped */
    struct ip_addr host;  /* for sorting */
    struct usage_counts dir[FLOW_DIR_COUNT];
};

struct report_rows {
    struct report_row *rows; /* owned */
    size_t n, cap;
    unsigned group;
};

static bool key_used(unsigned group, enum key_col k)
{
    static const unsigned bits[KEY_COUNT] = {USAGE_BY_SUBSCRIBER, USAGE_BY_HOST, USAGE_BY_CLASS,
                                             USAGE_BY_APP, USAGE_BY_DAY | USAGE_BY_HOUR};
    return group & bits[k];
}

static const char *key_label(const struct report_rows *rr, enum key_col k)
{
    if (k == KEY_PERIOD)
        return rr->group & USAGE_BY_HOUR ? "hour" : "day";
    return key_names[k];
}

static char *subscriber_text(const struct usage_result *r)
{
    char buf[32];
    if (r->account)
        return xstrdup(r->account);
    if (r->subscriber_id == USAGE_UNASSIGNED)
        return xstrdup("(unassigned)");
    snprintf(buf, sizeof buf, "(removed #%lld)", (long long)r->subscriber_id);
    return xstrdup(buf);
}

static bool same_key(const struct report_row *row, const char *const key[KEY_COUNT])
{
    for (int k = 0; k < KEY_COUNT; k++)
        if ((row->key[k] == NULL) != (key[k] == NULL) ||
            (key[k] && strcmp(row->key[k], key[k]) != 0))
            return false;
    return true;
}

static void collect(void *ctx, const struct usage_result *r)
{
    struct report_rows *rr = ctx;
    char *sub = key_used(rr->group, KEY_SUBSCRIBER) ? subscriber_text(r) : NULL;
    char period[20];
    if (rr->group & USAGE_BY_HOUR)
        periods_hour_name(r->period, period);
    else if (rr->group & USAGE_BY_DAY)
        periods_day_name(r->period, period);
    const char *key[KEY_COUNT] = {sub, r->host, r->class_name, r->app,
                                  key_used(rr->group, KEY_PERIOD) ? period : NULL};
    /* Rows arrive ordered by key, so a key is either the last row's or a new one. */
    if (rr->n == 0 || !same_key(&rr->rows[rr->n - 1], key)) {
        if (rr->n == rr->cap) {
            rr->cap = rr->cap ? rr->cap * 2 : 256;
            rr->rows = xrealloc(rr->rows, rr->cap * sizeof *rr->rows);
        }
        struct report_row *row = &rr->rows[rr->n++];
        memset(row, 0, sizeof *row);
        for (int k = 0; k < KEY_COUNT; k++)
            row->key[k] = key[k] ? xstrdup(key[k]) : NULL;
        if (!r->host || addr_parse(r->host, &row->host) != 0)
            memset(&row->host, 0xff, sizeof row->host);
    }
    /* added, not set: a local day that straddles a change of UTC offset comes in two
     * reads (merge_rows() joins them) */
    usage_counts_add(&rr->rows[rr->n - 1].dir[r->dir], &r->counts);
    free(sub);
}

static int cmp_text(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

static int cmp_row(const void *a, const void *b)
{
    const struct report_row *x = a, *y = b;
    int c = cmp_text(x->key[KEY_SUBSCRIBER], y->key[KEY_SUBSCRIBER]);
    if (c == 0)
        c = memcmp(x->host.b, y->host.b, 16);
    for (int k = KEY_CLASS; c == 0 && k < KEY_COUNT; k++)
        c = cmp_text(x->key[k], y->key[k]);
    return c;
}

/* Sums rows of equal keys, adjacent once sorted: a local day read in two offset spans. */
static void merge_rows(struct report_rows *rr)
{
    size_t out = 0;
    for (size_t i = 0; i < rr->n; i++) {
        struct report_row *r = &rr->rows[i];
        if (out > 0 && cmp_row(&rr->rows[out - 1], r) == 0 &&
            same_key(&rr->rows[out - 1], (const char *const *)r->key)) {
            for (int d = 0; d < FLOW_DIR_COUNT; d++)
                usage_counts_add(&rr->rows[out - 1].dir[d], &r->dir[d]);
            for (int k = 0; k < KEY_COUNT; k++)
                free(r->key[k]);
            continue;
        }
        rr->rows[out++] = *r;
    }
    rr->n = out;
}

static void rows_free(struct report_rows *rr)
{
    for (size_t i = 0; i < rr->n; i++)
        for (int k = 0; k < KEY_COUNT; k++)
            free(rr->rows[i].key[k]);
    free(rr->rows);
}

/* CSV and JSON share one column list: the contract columns first, then the extras. */
// clang-format off
#define COUNT_COLUMNS(X)                                                                           \
    X(bytes_in, FLOW_DIR_IN, bytes)                                                                \
    X(bytes_out, FLOW_DIR_OUT, bytes)                                                              \
    X(packets_in, FLOW_DIR_IN, packets)                                                            \
    X(packets_out, FLOW_DIR_OUT, packets)                                                          \
    X(flows_in, FLOW_DIR_IN, flows)                                                                \
    X(flows_out, FLOW_DIR_OUT, flows)                                                              \
    X(bytes_internal, FLOW_DIR_INTERNAL, bytes)                                                    \
    X(packets_internal, FLOW_DIR_INTERNAL, packets)                                                \
    X(flows_internal, FLOW_DIR_INTERNAL, flows)                                                    \
    X(bytes_transit, FLOW_DIR_TRANSIT, bytes)                                                      \
    X(packets_transit, FLOW_DIR_TRANSIT, packets)                                                  \
    X(flows_transit, FLOW_DIR_TRANSIT, flows)
// clang-format on

static void print_table(const struct report_rows *rr, FILE *out)
{
    char buf[32];
    struct usage_counts total[FLOW_DIR_COUNT] = {0};
    static const int width[KEY_COUNT] = {-16, -39, -14, -12, -16};
    for (int k = 0; k < KEY_COUNT; k++)
        if (key_used(rr->group, k))
            fprintf(out, "%*s ", width[k], key_label(rr, k));
    fprintf(out, "%12s %12s %12s %12s %10s %10s\n", "bytes in", "bytes out", "internal", "transit",
            "flows in", "flows out");
    for (size_t i = 0; i < rr->n; i++) {
        const struct report_row *r = &rr->rows[i];
        for (int k = 0; k < KEY_COUNT; k++)
            if (key_used(rr->group, k))
                fprintf(out, "%*s ", width[k], r->key[k] ? r->key[k] : "");
        for (int d = 0; d < FLOW_DIR_COUNT; d++) {
            fprintf(out, "%12s ", report_human_bytes(r->dir[d].bytes, buf));
            total[d].bytes += r->dir[d].bytes;
            total[d].flows += r->dir[d].flows;
        }
        fprintf(out, "%10llu %10llu\n", (unsigned long long)r->dir[FLOW_DIR_IN].flows,
                (unsigned long long)r->dir[FLOW_DIR_OUT].flows);
    }
    bool first = true;
    for (int k = 0; k < KEY_COUNT; k++)
        if (key_used(rr->group, k)) {
            fprintf(out, "%*s ", width[k], first ? "total" : "");
            first = false;
        }
    for (int d = 0; d < FLOW_DIR_COUNT; d++)
        fprintf(out, "%12s ", report_human_bytes(total[d].bytes, buf));
    fprintf(out, "%10llu %10llu\n", (unsigned long long)total[FLOW_DIR_IN].flows,
            (unsigned long long)total[FLOW_DIR_OUT].flows);
}

static void print_csv(const struct report_rows *rr, FILE *out)
{
    struct csv c;
    csv_init(&c, out);
    for (int k = 0; k < KEY_COUNT; k++)
        if (key_used(rr->group, k))
            csv_text(&c, key_label(rr, k));
#define X(name, d, field) csv_text(&c, #name);
    COUNT_COLUMNS(X)
#undef X
    csv_end_row(&c);
    for (size_t i = 0; i < rr->n; i++) {
        const struct report_row *r = &rr->rows[i];
        for (int k = 0; k < KEY_COUNT; k++)
            if (key_used(rr->group, k))
                csv_text(&c, r->key[k] ? r->key[k] : "");
#define X(name, d, field) csv_u64(&c, r->dir[d].field);
        COUNT_COLUMNS(X)
#undef X
        csv_end_row(&c);
    }
}

static void print_json(const struct report_query *q, const struct report_rows *rr, FILE *out)
{
    struct json j;
    json_init(&j, out);
    json_object_begin(&j);
    json_member_u64(&j, "from", q->from_ms / 1000);
    json_key(&j, "to");
    if (q->to_ms)
        json_u64(&j, q->to_ms / 1000);
    else
        json_null(&j);
    json_key(&j, "rows");
    json_rows_begin(&j);
    for (size_t i = 0; i < rr->n; i++) {
        const struct report_row *r = &rr->rows[i];
        json_object_begin(&j);
        for (int k = 0; k < KEY_COUNT; k++)
            if (key_used(rr->group, k))
                json_member_str(&j, key_label(rr, k), r->key[k] ? r->key[k] : "");
#define X(name, d, field) json_member_u64(&j, #name, r->dir[d].field);
        COUNT_COLUMNS(X)
#undef X
        json_object_end(&j);
    }
    json_array_end(&j);
    json_object_end(&j);
    fputc('\n', out);
}

int report_usage(const struct report_query *q, FILE *out, char *errbuf)
{
    struct store *st = store_open(q->db, true, errbuf);
    if (!st)
        return ERR_STORE;
    struct report_rows rr = {.group = q->group ? q->group : USAGE_BY_HOST};
    struct usage_query uq = {.from_ms = q->from_ms,
                             .to_ms = q->to_ms ? q->to_ms : UINT64_MAX,
                             .group = rr.group,
                             .subscriber_id = q->subscriber_id};
    /* By local day or hour: one read per span of one UTC offset (looked for up to ten
     * years from now; no flow ends later). */
    static struct offset_span spans[PERIODS_MAX_SPANS];
    size_t n_spans = 1;
    spans[0] = (struct offset_span){uq.from_ms, uq.to_ms, 0};
    if (key_used(rr.group, KEY_PERIOD))
        n_spans = periods_offset_spans(uq.from_ms, uq.to_ms,
                                       (uint64_t)time(NULL) * 1000 + PERIODS_HORIZON_MS, spans);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n_spans; i++) {
        uq.from_ms = spans[i].from_ms;
        uq.to_ms = spans[i].to_ms;
        uq.utc_offset_s = spans[i].utc_offset_s;
        rc = st->ops->read_usage(st, &uq, collect, &rr);
    }
    store_close(st);
    if (rc != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "%s: could not read usage", q->db);
        rows_free(&rr);
        return rc;
    }
    if (rr.n > 1)
        qsort(rr.rows, rr.n, sizeof *rr.rows, cmp_row);
    merge_rows(&rr);
    if (q->format == REPORT_CSV)
        print_csv(&rr, out);
    else if (q->format == REPORT_JSON)
        print_json(q, &rr, out);
    else
        print_table(&rr, out);
    rows_free(&rr);
    return 0;
}

int report_parse_group(const char *s, unsigned *group)
{
    static const struct {
        const char *name;
        unsigned bit;
    } names[] = {{"subscriber", USAGE_BY_SUBSCRIBER},
                 {"host", USAGE_BY_HOST},
                 {"class", USAGE_BY_CLASS},
                 {"app", USAGE_BY_APP},
                 {"day", USAGE_BY_DAY},
                 {"hour", USAGE_BY_HOUR}};
    *group = 0;
    const char *p = s;
    while (*p) {
        size_t len = strcspn(p, ",");
        size_t i = 0;
        while (i < sizeof names / sizeof names[0] &&
               (strlen(names[i].name) != len || strncmp(names[i].name, p, len) != 0))
            i++;
        if (i == sizeof names / sizeof names[0])
            return ERR_MALFORMED;
        *group |= names[i].bit;
        p += len + (p[len] == ',');
    }
    return *group ? 0 : ERR_MALFORMED;
}

struct stats_print {
    FILE *out;
    enum report_format format;
    struct json json;
    struct csv csv;
};

/* Opens a listing of counters: the CSV header (columns, NULL-terminated) or {"NAME":[ in
 * JSON; the table's header is the caller's. */
static void listing_begin(struct stats_print *sp, const char *name, const char *const *columns)
{
    json_init(&sp->json, sp->out);
    csv_init(&sp->csv, sp->out);
    if (sp->format == REPORT_CSV)
        csv_header(&sp->csv, columns);
    else if (sp->format == REPORT_JSON) {
        json_object_begin(&sp->json);
        json_key(&sp->json, name);
        json_rows_begin(&sp->json);
    }
}

static void listing_end(struct stats_print *sp)
{
    if (sp->format != REPORT_JSON)
        return;
    json_array_end(&sp->json);
    json_object_end(&sp->json);
    fputc('\n', sp->out);
}

static void print_stat(void *ctx, const struct stat_row *row)
{
    struct stats_print *sp = ctx;
    struct csv *c = &sp->csv;
    struct json *j = &sp->json;
    if (sp->format == REPORT_CSV) {
        csv_text(c, row->exporter);
        csv_u64(c, row->version);
        csv_u64(c, row->domain);
        csv_text(c, row->name);
        csv_u64(c, row->value);
        csv_end_row(c);
    } else if (sp->format == REPORT_JSON) {
        json_object_begin(j);
        json_member_str(j, "exporter", row->exporter);
        json_member_u64(j, "version", row->version);
        json_member_u64(j, "domain", row->domain);
        json_member_str(j, "counter", row->name);
        json_member_u64(j, "value", row->value);
        json_object_end(j);
    } else
        fprintf(sp->out, "%-39s %7u %10u  %-24s %llu\n", row->exporter, row->version, row->domain,
                row->name, (unsigned long long)row->value);
}

int report_stats(const struct report_query *q, FILE *out, char *errbuf)
{
    static const char *const columns[] = {"exporter", "version", "domain",
                                          "counter",  "value",   NULL};
    struct store *st = store_open(q->db, true, errbuf);
    if (!st)
        return ERR_STORE;
    struct stats_print sp = {.out = out, .format = q->format};
    listing_begin(&sp, "stats", columns);
    if (q->format == REPORT_TABLE)
        fprintf(out, "%-39s %7s %10s  %-24s %s\n", "exporter", "version", "domain", "counter",
                "value");
    int rc = st->ops->read_stats(st, print_stat, &sp);
    store_close(st);
    listing_end(&sp);
    if (rc != 0)
        snprintf(errbuf, ERR_BUF_LEN, "%s: could not read collector counters", q->db);
    return rc;
}

static void print_iface(void *ctx, const struct iface_row *r)
{
    struct stats_print *sp = ctx;
    char in[32], out_b[32];
    const char *up = r->status & 2 ? "up" : "down";
    struct csv *c = &sp->csv;
    struct json *j = &sp->json;
    if (sp->format == REPORT_CSV) {
        csv_text(c, r->agent);
        csv_u64(c, r->if_index);
        csv_u64(c, r->time_ms / 1000);
        csv_u64(c, r->speed_bps);
        csv_text(c, up);
        csv_u64(c, r->in_octets);
        csv_u64(c, r->out_octets);
        csv_u64(c, r->in_errors);
        csv_u64(c, r->out_errors);
        csv_u64(c, r->in_discards);
        csv_u64(c, r->out_discards);
        csv_end_row(c);
    } else if (sp->format == REPORT_JSON) {
        json_object_begin(j);
        json_member_str(j, "agent", r->agent);
        json_member_u64(j, "if_index", r->if_index);
        json_member_u64(j, "time", r->time_ms / 1000);
        json_member_u64(j, "speed_bps", r->speed_bps);
        json_member_str(j, "oper", up);
        json_member_u64(j, "in_octets", r->in_octets);
        json_member_u64(j, "out_octets", r->out_octets);
        json_member_u64(j, "in_errors", r->in_errors);
        json_member_u64(j, "out_errors", r->out_errors);
        json_member_u64(j, "in_discards", r->in_discards);
        json_member_u64(j, "out_discards", r->out_discards);
        json_object_end(j);
    } else
        fprintf(sp->out, "%-39s %8u %5s %12s %12s %10llu %10llu\n", r->agent, r->if_index, up,
                report_human_bytes(r->in_octets, in), report_human_bytes(r->out_octets, out_b),
                (unsigned long long)(r->in_errors + r->out_errors),
                (unsigned long long)(r->in_discards + r->out_discards));
}

int report_interfaces(const struct report_query *q, FILE *out, char *errbuf)
{
    static const char *const columns[] = {"agent",      "if_index",    "time",         "speed_bps",
                                          "oper",       "in_octets",   "out_octets",   "in_errors",
                                          "out_errors", "in_discards", "out_discards", NULL};
    struct store *st = store_open(q->db, true, errbuf);
    if (!st)
        return ERR_STORE;
    struct stats_print sp = {.out = out, .format = q->format};
    listing_begin(&sp, "interfaces", columns);
    if (q->format == REPORT_TABLE)
        fprintf(out, "%-39s %8s %5s %12s %12s %10s %10s\n", "agent", "ifIndex", "oper", "in", "out",
                "errors", "discards");
    int rc = st->ops->read_interfaces(st, print_iface, &sp);
    store_close(st);
    listing_end(&sp);
    if (rc != 0)
        snprintf(errbuf, ERR_BUF_LEN, "%s: could not read interface counters", q->db);
    return rc;
}
