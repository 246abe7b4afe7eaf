// SPDX-License-Identifier: MIT
// Reports out of the store. Rows are gathered from the store's read API, sorted by address
// (IPv4 first, then IPv6, numerically) and printed in the requested format.
#include "report.h"

#include "../base/addr.h"
#include "../base/xalloc.h"
#include "../flow/usage.h"
#include "../store/store.h"

#include <stdlib.h>
#include <string.h>

struct host_row {
    char host[ADDR_STR_LEN];
    struct ip_addr addr; /* for sorting */
    struct usage_counts dir[FLOW_DIR_COUNT];
};

struct host_rows {
    struct host_row *rows; /* owned */
    size_t n, cap;
};

static void collect_host(void *ctx, const char *host, enum flow_dir dir,
                         const struct usage_counts *c)
{
    struct host_rows *hr = ctx;
    /* Rows arrive grouped by host, so the host is the last one or a new one. */
    if (hr->n == 0 || strcmp(hr->rows[hr->n - 1].host, host) != 0) {
        if (hr->n == hr->cap) {
            hr->cap = hr->cap ? hr->cap * 2 : 256;
            hr->rows = xrealloc(hr->rows, hr->cap * sizeof *hr->rows);
        }
        struct host_row *r = &hr->rows[hr->n++];
        memset(r, 0, sizeof *r);
        snprintf(r->host, sizeof r->host, "%s", host);
        if (addr_parse(host, &r->addr) != 0)
            memset(&r->addr, 0xff, sizeof r->addr);
    }
    hr->rows[hr->n - 1].dir[dir] = *c;
}

static int cmp_host(const void *a, const void *b)
{
    const struct host_row *x = a, *y = b;
    return memcmp(x->addr.b, y->addr.b, 16);
}

static struct store *open_store(const struct report_query *q, char *errbuf)
{
    return store_open(q->db, true, errbuf);
}

static void print_table(const struct host_rows *hr, FILE *out)
{
    char buf[32];
    struct usage_counts total[FLOW_DIR_COUNT] = {0};
    fprintf(out, "%-39s %12s %12s %12s %12s %10s %10s\n", "host", "bytes in", "bytes out",
            "internal", "transit", "flows in", "flows out");
    for (size_t i = 0; i < hr->n; i++) {
        const struct host_row *r = &hr->rows[i];
        fprintf(out, "%-39s", r->host);
        for (int d = 0; d < FLOW_DIR_COUNT; d++) {
            fprintf(out, " %12s", report_human_bytes(r->dir[d].bytes, buf));
            total[d].bytes += r->dir[d].bytes;
            total[d].flows += r->dir[d].flows;
        }
        fprintf(out, " %10llu %10llu\n", (unsigned long long)r->dir[FLOW_DIR_IN].flows,
                (unsigned long long)r->dir[FLOW_DIR_OUT].flows);
    }
    fprintf(out, "%-39s", "total");
    for (int d = 0; d < FLOW_DIR_COUNT; d++)
        fprintf(out, " %12s", report_human_bytes(total[d].bytes, buf));
    fprintf(out, " %10llu %10llu\n", (unsigned long long)total[FLOW_DIR_IN].flows,
            (unsigned long long)total[FLOW_DIR_OUT].flows);
}

/* CSV and JSON share one column list: the contract columns first, then the extras. */
// clang-format off
#define HOST_COLUMNS(X)                                                                            \
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

static void print_csv(const struct host_rows *hr, FILE *out)
{
    fprintf(out, "host");
#define X(name, d, field) fprintf(out, "," #name);
    HOST_COLUMNS(X)
#undef X
    fprintf(out, "\n");
    for (size_t i = 0; i < hr->n; i++) {
        const struct host_row *r = &hr->rows[i];
        fprintf(out, "%s", r->host);
#define X(name, d, field) fprintf(out, ",%llu", (unsigned long long)r->dir[d].field);
        HOST_COLUMNS(X)
#undef X
        fprintf(out, "\n");
    }
}

static void print_json(const struct report_query *q, const struct host_rows *hr, FILE *out)
{
    fprintf(out, "{\"by\":\"host\",\"from\":%llu,\"to\":", (unsigned long long)(q->from_ms / 1000));
    if (q->to_ms)
        fprintf(out, "%llu", (unsigned long long)(q->to_ms / 1000));
    else
        fprintf(out, "null");
    fprintf(out, ",\"rows\":[");
    for (size_t i = 0; i < hr->n; i++) {
        const struct host_row *r = &hr->rows[i];
        /* Host text is an address from inet_ntop: nothing in it needs escaping. */
        fprintf(out, "%s\n{\"host\":\"%s\"", i ? "," : "", r->host);
#define X(name, d, field) fprintf(out, ",\"" #name "\":%llu", (unsigned long long)r->dir[d].field);
        HOST_COLUMNS(X)
#undef X
        fprintf(out, "}");
    }
    fprintf(out, "]}\n");
}

int report_hosts(const struct report_query *q, FILE *out, char *errbuf)
{
    struct store *st = open_store(q, errbuf);
    if (!st)
        return ERR_STORE;
    struct host_rows hr = {0};
    int rc = st->ops->read_host_usage(st, q->from_ms, q->to_ms ? q->to_ms : UINT64_MAX,
                                      collect_host, &hr);
    store_close(st);
    if (rc != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "%s: could not read usage", q->db);
        free(hr.rows);
        return rc;
    }
    if (hr.n > 1)
        qsort(hr.rows, hr.n, sizeof *hr.rows, cmp_host);
    if (q->format == REPORT_CSV)
        print_csv(&hr, out);
    else if (q->format == REPORT_JSON)
        print_json(q, &hr, out);
    else
        print_table(&hr, out);
    free(hr.rows);
    return 0;
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
    struct store *st = open_store(q, errbuf);
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
