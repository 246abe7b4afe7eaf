// SPDX-License-Identifier: MIT
// The read model's printers: usage rows, collector counters, interface health and quotas
// as a human table (decimal units), or CSV and JSON (exact integers) through the one CSV
// and JSON writer.
#include "report.h"

#include <string.h>
#include <time.h>

static const char *const key_names[REPORT_KEYS] = {"subscriber", "host", "class", "app", "period"};

static const char *key_label(const struct report_rows *rr, enum report_key k)
{
    if (k == REPORT_KEY_PERIOD)
        return rr->group & USAGE_BY_HOUR ? "hour" : "day";
    return key_names[k];
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
    static const int width[REPORT_KEYS] = {-16, -39, -14, -12, -16};
    for (int k = 0; k < REPORT_KEYS; k++)
        if (report_key_used(rr->group, k))
            fprintf(out, "%*s ", width[k], key_label(rr, k));
    fprintf(out, "%12s %12s %12s %12s %10s %10s\n", "bytes in", "bytes out", "internal", "transit",
            "flows in", "flows out");
    for (size_t i = 0; i < rr->n; i++) {
        const struct report_row *r = &rr->rows[i];
        for (int k = 0; k < REPORT_KEYS; k++)
            if (report_key_used(rr->group, k))
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
    for (int k = 0; k < REPORT_KEYS; k++)
        if (report_key_used(rr->group, k)) {
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
    for (int k = 0; k < REPORT_KEYS; k++)
        if (report_key_used(rr->group, k))
            csv_text(&c, key_label(rr, k));
#define X(name, d, field) csv_text(&c, #name);
    COUNT_COLUMNS(X)
#undef X
    csv_end_row(&c);
    for (size_t i = 0; i < rr->n; i++) {
        const struct report_row *r = &rr->rows[i];
        for (int k = 0; k < REPORT_KEYS; k++)
            if (report_key_used(rr->group, k))
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
        for (int k = 0; k < REPORT_KEYS; k++)
            if (report_key_used(rr->group, k))
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

void report_print_usage(const struct report_query *q, const struct report_rows *rows,
                        enum report_format f, FILE *out)
{
    if (f == REPORT_CSV)
        print_csv(rows, out);
    else if (f == REPORT_JSON)
        print_json(q, rows, out);
    else
        print_table(rows, out);
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

int report_print_stats(struct store *st, enum report_format f, FILE *out, char *errbuf)
{
    static const char *const columns[] = {"exporter", "version", "domain",
                                          "counter",  "value",   NULL};
    struct stats_print sp = {.out = out, .format = f};
    listing_begin(&sp, "stats", columns);
    if (f == REPORT_TABLE)
        fprintf(out, "%-39s %7s %10s  %-24s %s\n", "exporter", "version", "domain", "counter",
                "value");
    int rc = st->ops->read_stats(st, print_stat, &sp);
    listing_end(&sp);
    if (rc != 0)
        snprintf(errbuf, ERR_BUF_LEN, "could not read collector counters: %s",
                 st->ops->last_error(st));
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

int report_print_interfaces(struct store *st, enum report_format f, FILE *out, char *errbuf)
{
    static const char *const columns[] = {"agent",      "if_index",    "time",         "speed_bps",
                                          "oper",       "in_octets",   "out_octets",   "in_errors",
                                          "out_errors", "in_discards", "out_discards", NULL};
    struct stats_print sp = {.out = out, .format = f};
    listing_begin(&sp, "interfaces", columns);
    if (f == REPORT_TABLE)
        fprintf(out, "%-39s %8s %5s %12s %12s %10s %10s\n", "agent", "ifIndex", "oper", "in", "out",
                "errors", "discards");
    int rc = st->ops->read_interfaces(st, print_iface, &sp);
    listing_end(&sp);
    if (rc != 0)
        snprintf(errbuf, ERR_BUF_LEN, "could not read interface counters: %s",
                 st->ops->last_error(st));
    return rc;
}

static void format_day(uint64_t ms, char *buf, size_t size)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(buf, size, "%Y-%m-%d", &tm);
}

/* The members of a usage document (`usage --format json`, a row of --over-quota), into an
 * object the caller opened. */
static void json_quota(struct json *j, const struct quota_usage *u)
{
    char from[16], to[16], pct_text[32];
    uint64_t pct = quota_percent_x100(u);
    format_day(u->cycle.start_ms, from, sizeof from);
    format_day(u->cycle.end_ms, to, sizeof to);
    snprintf(pct_text, sizeof pct_text, "%llu.%02llu", (unsigned long long)(pct / 100),
             (unsigned long long)(pct % 100));
    json_member_str(j, "account", u->sub.account);
    json_member_str(j, "plan", u->sub.plan);
    json_key(j, "quota_bytes");
    if (u->plan.unlimited)
        json_null(j);
    else
        json_u64(j, u->plan.quota_bytes);
    json_member_str(j, "quota_dirs", u->plan.quota_dirs);
    json_member_str(j, "cycle_start", from);
    json_member_str(j, "cycle_end", to);
    json_member_u64(j, "used_bytes", u->used_bytes);
    json_member_u64(j, "remaining_bytes", quota_remaining(u));
    json_member_str(j, "percent", pct_text);
    json_member_u64(j, "projected_bytes", quota_usage_projected(u));
    json_member_u64(j, "bytes_in", u->bytes_in);
    json_member_u64(j, "bytes_out", u->bytes_out);
}

static void print_quota(const struct quota_usage *u, FILE *out)
{
    char a[32], b[32], c[32], from[16], to[16];
    uint64_t pct = quota_percent_x100(u), proj = quota_usage_projected(u);
    uint64_t quota = u->plan.quota_bytes;
    uint64_t remaining = quota_remaining(u);
    format_day(u->cycle.start_ms, from, sizeof from);
    format_day(u->cycle.end_ms, to, sizeof to);
    fprintf(out, "account:   %s%s%s%s\n", u->sub.account, u->sub.name[0] ? " (" : "", u->sub.name,
            u->sub.name[0] ? ")" : "");
    if (u->plan.unlimited)
        fprintf(out, "plan:      %s, no quota\n", u->has_plan ? u->plan.name : "(none)");
    else
        fprintf(out, "plan:      %s, %s per cycle (%s)\n", u->plan.name,
                report_human_bytes(quota, a), u->plan.quota_dirs);
    fprintf(out, "cycle:     %s to %s (local time)\n", from, to);
    if (u->plan.unlimited)
        fprintf(out, "used:      %s\n", report_human_bytes(u->used_bytes, a));
    else
        fprintf(out, "used:      %s of %s (%llu.%02llu%%), %s remaining\n",
                report_human_bytes(u->used_bytes, a), report_human_bytes(quota, b),
                (unsigned long long)(pct / 100), (unsigned long long)(pct % 100),
                report_human_bytes(remaining, c));
    fprintf(out, "projected: %s by %s at the rate so far\n", report_human_bytes(proj, a), to);
}

void report_print_quota(const struct quota_usage *u, enum report_format f, FILE *out)
{
    if (f != REPORT_JSON) {
        print_quota(u, out);
        return;
    }
    struct json j;
    json_init(&j, out);
    json_object_begin(&j);
    json_quota(&j, u);
    json_object_end(&j);
    fputc('\n', out);
}

void report_print_over_begin(struct report_over_printer *p, enum report_format f, FILE *out)
{
    static const char *const columns[] = {"subscriber",  "plan",    "used_bytes",
                                          "quota_bytes", "percent", NULL};
    *p = (struct report_over_printer){.f = f, .out = out};
    json_init(&p->json, out);
    csv_init(&p->csv, out);
    if (f == REPORT_CSV) {
        csv_header(&p->csv, columns);
    } else if (f == REPORT_JSON) {
        json_object_begin(&p->json);
        json_key(&p->json, "over_quota");
        json_rows_begin(&p->json);
    } else {
        fprintf(out, "%-16s %-12s %12s %12s %8s\n", "subscriber", "plan", "used", "quota",
                "percent");
    }
}

void report_print_over_row(void *printer, const struct quota_usage *u)
{
    struct report_over_printer *p = printer;
    char a[32], b[32], pct_text[32];
    uint64_t pct = quota_percent_x100(u);
    snprintf(pct_text, sizeof pct_text, "%llu.%02llu", (unsigned long long)(pct / 100),
             (unsigned long long)(pct % 100));
    if (p->f == REPORT_CSV) {
        csv_text(&p->csv, u->sub.account);
        csv_text(&p->csv, u->sub.plan);
        csv_u64(&p->csv, u->used_bytes);
        csv_u64(&p->csv, u->plan.quota_bytes);
        csv_number(&p->csv, pct_text);
        csv_end_row(&p->csv);
    } else if (p->f == REPORT_JSON) {
        json_object_begin(&p->json);
        json_quota(&p->json, u);
        json_object_end(&p->json);
    } else {
        fprintf(p->out, "%-16s %-12s %12s %12s %7llu.%02llu%%\n", u->sub.account, u->sub.plan,
                report_human_bytes(u->used_bytes, a), report_human_bytes(u->plan.quota_bytes, b),
                (unsigned long long)(pct / 100), (unsigned long long)(pct % 100));
    }
}

void report_print_over_end(struct report_over_printer *p)
{
    if (p->f != REPORT_JSON)
        return;
    json_array_end(&p->json);
    json_object_end(&p->json);
    fputc('\n', p->out);
}
