// SPDX-License-Identifier: MIT
// Usage and counter reports out of the store. Usage rows arrive from the store grouped by
// the requested keys and by direction; here the directions of one key become one row, rows
// are sorted (addresses numerically, IPv4 first) and printed as a table, CSV or JSON.
#include "report.h"

#include "../base/addr.h"
#include "../base/xalloc.h"
#include "../flow/usage.h"
#include "../store/store.h"

#include <stdlib.h>
#include <string.h>

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
    const char *key[KEY_COUNT] = {sub, r->host, r->class_name, r->app, r->period};
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
    rr->rows[rr->n - 1].dir[r->dir] = r->counts;
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

/* CSV fields are account names, addresses and list names: quote any with a comma or quote. */
static void csv_field(FILE *out, const char *s)
{
    if (!strpbrk(s, ",\"\n")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

static void print_csv(const struct report_rows *rr, FILE *out)
{
    const char *sep = "";
    for (int k = 0; k < KEY_COUNT; k++)
        if (key_used(rr->group, k)) {
            fprintf(out, "%s%s", sep, key_label(rr, k));
            sep = ",";
        }
#define X(name, d, field) fprintf(out, "," #name);
    COUNT_COLUMNS(X)
#undef X
    fprintf(out, "\n");
    for (size_t i = 0; i < rr->n; i++) {
        const struct report_row *r = &rr->rows[i];
        sep = "";
        for (int k = 0; k < KEY_COUNT; k++)
            if (key_used(rr->group, k)) {
                fputs(sep, out);
                csv_field(out, r->key[k] ? r->key[k] : "");
                sep = ",";
            }
#define X(name, d, field) fprintf(out, ",%llu", (unsigned long long)r->dir[d].field);
        COUNT_COLUMNS(X)
#undef X
        fprintf(out, "\n");
    }
}

/* JSON string with the escapes RFC 8259 requires; account names come from operators. */
static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

static void print_json(const struct report_query *q, const struct report_rows *rr, FILE *out)
{
    fprintf(out, "{\"from\":%llu,\"to\":", (unsigned long long)(q->from_ms / 1000));
    if (q->to_ms)
        fprintf(out, "%llu", (unsigned long long)(q->to_ms / 1000));
    else
        fprintf(out, "null");
    fprintf(out, ",\"rows\":[");
    for (size_t i = 0; i < rr->n; i++) {
        const struct report_row *r = &rr->rows[i];
        const char *sep = "{";
        fprintf(out, "%s\n", i ? "," : "");
        for (int k = 0; k < KEY_COUNT; k++)
            if (key_used(rr->group, k)) {
                fprintf(out, "%s\"%s\":", sep, key_label(rr, k));
                json_string(out, r->key[k] ? r->key[k] : "");
                sep = ",";
            }
#define X(name, d, field)                                                                          \
    fprintf(out, "%s\"" #name "\":%llu", sep, (unsigned long long)r->dir[d].field);                \
    sep = ",";
        COUNT_COLUMNS(X)
#undef X
        fprintf(out, "}");
    }
    fprintf(out, "]}\n");
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
    int rc = st->ops->read_usage(st, &uq, collect, &rr);
    store_close(st);
    if (rc != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "%s: could not read usage", q->db);
        rows_free(&rr);
        return rc;
    }
    if (rr.n > 1)
        qsort(rr.rows, rr.n, sizeof *rr.rows, cmp_row);
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
    size_t n;
};

static void print_stat(void *ctx, const struct stat_row *row)
{
    struct stats_print *sp = ctx;
    unsigned long long v = (unsigned long long)row->value;
    if (sp->format == REPORT_CSV)
        fprintf(sp->out, "%s,%u,%u,%s,%llu\n", row->exporter, row->version, row->domain, row->name,
                v);
    else if (sp->format == REPORT_JSON)
        fprintf(sp->out,
                "%s\n{\"exporter\":\"%s\",\"version\":%u,\"domain\":%u,"
                "\"counter\":\"%s\",\"value\":%llu}",
                sp->n ? "," : "", row->exporter, row->version, row->domain, row->name, v);
    else
        fprintf(sp->out, "%-39s %7u %10u  %-24s %llu\n", row->exporter, row->version, row->domain,
                row->name, v);
    sp->n++;
}

int report_stats(const struct report_query *q, FILE *out, char *errbuf)
{
    struct store *st = store_open(q->db, true, errbuf);
    if (!st)
        return ERR_STORE;
    struct stats_print sp = {.out = out, .format = q->format};
    if (q->format == REPORT_CSV)
        fprintf(out, "exporter,version,domain,counter,value\n");
    else if (q->format == REPORT_JSON)
        fprintf(out, "{\"stats\":[");
    else
        fprintf(out, "%-39s %7s %10s  %-24s %s\n", "exporter", "version", "domain", "counter",
                "value");
    int rc = st->ops->read_stats(st, print_stat, &sp);
    store_close(st);
    if (q->format == REPORT_JSON)
        fprintf(out, "]}\n");
    if (rc != 0)
        snprintf(errbuf, ERR_BUF_LEN, "%s: could not read collector counters", q->db);
    return rc;
}

static void print_iface(void *ctx, const struct iface_row *r)
{
    struct stats_print *sp = ctx;
    char in[32], out_b[32];
    const char *up = r->status & 2 ? "up" : "down";
    if (sp->format == REPORT_CSV)
        fprintf(sp->out, "%s,%u,%llu,%llu,%s,%llu,%llu,%llu,%llu,%llu,%llu\n", r->agent,
                r->if_index, (unsigned long long)(r->time_ms / 1000),
                (unsigned long long)r->speed_bps, up, (unsigned long long)r->in_octets,
                (unsigned long long)r->out_octets, (unsigned long long)r->in_errors,
                (unsigned long long)r->out_errors, (unsigned long long)r->in_discards,
                (unsigned long long)r->out_discards);
    else if (sp->format == REPORT_JSON)
        fprintf(sp->out,
                "%s\n{\"agent\":\"%s\",\"if_index\":%u,\"time\":%llu,\"speed_bps\":%llu,"
                "\"oper\":\"%s\",\"in_octets\":%llu,\"out_octets\":%llu,\"in_errors\":%llu,"
                "\"out_errors\":%llu,\"in_discards\":%llu,\"out_discards\":%llu}",
                sp->n ? "," : "", r->agent, r->if_index, (unsigned long long)(r->time_ms / 1000),
                (unsigned long long)r->speed_bps, up, (unsigned long long)r->in_octets,
                (unsigned long long)r->out_octets, (unsigned long long)r->in_errors,
                (unsigned long long)r->out_errors, (unsigned long long)r->in_discards,
                (unsigned long long)r->out_discards);
    else
        fprintf(sp->out, "%-39s %8u %5s %12s %12s %10llu %10llu\n", r->agent, r->if_index, up,
                report_human_bytes(r->in_octets, in), report_human_bytes(r->out_octets, out_b),
                (unsigned long long)(r->in_errors + r->out_errors),
                (unsigned long long)(r->in_discards + r->out_discards));
    sp->n++;
}

int report_interfaces(const struct report_query *q, FILE *out, char *errbuf)
{
    struct store *st = store_open(q->db, true, errbuf);
    if (!st)
        return ERR_STORE;
    struct stats_print sp = {.out = out, .format = q->format};
    if (q->format == REPORT_CSV)
        fprintf(out, "agent,if_index,time,speed_bps,oper,in_octets,out_octets,in_errors,"
                     "out_errors,in_discards,out_discards\n");
    else if (q->format == REPORT_JSON)
        fprintf(out, "{\"interfaces\":[");
    else
        fprintf(out, "%-39s %8s %5s %12s %12s %10s %10s\n", "agent", "ifIndex", "oper", "in", "out",
                "errors", "discards");
    int rc = st->ops->read_interfaces(st, print_iface, &sp);
    store_close(st);
    if (q->format == REPORT_JSON)
        fprintf(out, "]}\n");
    if (rc != 0)
        snprintf(errbuf, ERR_BUF_LEN, "%s: could not read interface counters", q->db);
    return rc;
}
