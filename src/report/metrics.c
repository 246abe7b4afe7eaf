// SPDX-License-Identifier: MIT
// Prometheus's text exposition format (metrics.h). Every family is written whole, its
// HELP and TYPE lines first: the format wants a family's samples together, so the
// counters, which the store lists by stream, are sorted by name first. Numbers are the
// health view's integers (tenths, milliseconds) written as decimals, never floats.
#include "metrics.h"

#include "../base/err.h"
#include "../base/xalloc.h"
#include "health.h"

#include <stdlib.h>
#include <string.h>

void metrics_label_value(const char *text, FILE *out)
{
    for (const char *p = text; *p; p++) {
        if (*p == '\\' || *p == '"') {
            fputc('\\', out);
            fputc(*p, out);
        } else if (*p == '\n')
            fputs("\\n", out);
        else
            fputc(*p, out);
    }
}

/* ---- the exporters' health: gauges ---- */

struct gauge {
    const char *name, *help;
};

static const struct gauge gauges[] = {
    {"flowtally_exporter_last_seen_timestamp_seconds",
     "When the latest flush that counted anything from the exporter was written."},
    {"flowtally_exporter_records_per_second",
     "Flow records per second over the latest flush interval (0 when it saw none)."},
    {"flowtally_exporter_bytes_per_second",
     "Bytes per second the records carried (times their sampling rate), latest interval."},
    {"flowtally_exporter_datagrams_per_second",
     "Datagrams per second over the latest flush interval."},
    {"flowtally_exporter_loss_ratio",
     "The share of records (or NetFlow v9 datagrams) lost in the last hour, 0 to 1."},
    {"flowtally_exporter_silent",
     "1 when the exporter has not been seen for longer than stats' silent-after, else 0."},
};

/* tenths as a decimal: 12.3 */
static void tenths(uint64_t x10, FILE *out)
{
    fprintf(out, "%llu.%llu", (unsigned long long)(x10 / 10), (unsigned long long)(x10 % 10));
}

static void gauge_value(size_t g, const struct health *h, const struct health_exporter *e,
                        FILE *out)
{
    struct health_line l;
    health_line_of(h, e, &l);
    switch (g) {
    case 0:
        fprintf(out, "%llu.%03llu", (unsigned long long)(e->last_ms / 1000),
                (unsigned long long)(e->last_ms % 1000));
        break;
    case 1: tenths(l.rec_x10, out); break;
    case 2: tenths(l.bytes_x10, out); break;
    case 3: tenths(l.dg_x10, out); break;
    case 4: /* tenths of a percent: thousandths */
        fprintf(out, "%llu.%03llu", (unsigned long long)(l.loss_x10 / 1000),
                (unsigned long long)(l.loss_x10 % 1000));
        break;
    default: fputc(l.verdict == HEALTH_SILENT ? '1' : '0', out);
    }
}

static void write_health(const struct health *h, FILE *out)
{
    if (h->has_flush)
        fprintf(out,
                "# HELP flowtally_last_flush_timestamp_seconds When the collector last wrote "
                "a flush.\n# TYPE flowtally_last_flush_timestamp_seconds gauge\n"
                "flowtally_last_flush_timestamp_seconds %llu.%03llu\n",
                (unsigned long long)(h->last_flush_ms / 1000),
                (unsigned long long)(h->last_flush_ms % 1000));
    if (h->n == 0)
        return;
    for (size_t g = 0; g < sizeof gauges / sizeof gauges[0]; g++) {
        fprintf(out, "# HELP %s %s\n# TYPE %s gauge\n", gauges[g].name, gauges[g].help,
                gauges[g].name);
        for (size_t i = 0; i < h->n; i++) {
            fprintf(out, "%s{exporter=\"", gauges[g].name);
            metrics_label_value(h->ex[i].exporter, out);
            fputs("\"} ", out);
            gauge_value(g, h, &h->ex[i], out);
            fputc('\n', out);
        }
    }
}

/* ---- the counters ---- */

struct counter {
    char *exporter, *name;
    uint8_t version;
    uint32_t domain;
    uint64_t value;
};

struct counters {
    struct counter *v;
    size_t n, cap;
};

static void on_stat(void *ctx, const struct stat_row *r)
{
    struct counters *cs = ctx;
    if (cs->n == cs->cap) {
        cs->cap = cs->cap ? 2 * cs->cap : 64;
        cs->v = xrealloc(cs->v, cs->cap * sizeof *cs->v);
    }
    cs->v[cs->n++] = (struct counter){.exporter = xstrdup(r->exporter),
                                      .name = xstrdup(r->name),
                                      .version = r->version,
                                      .domain = r->domain,
                                      .value = r->value};
}

static int by_name(const void *a, const void *b)
{
    const struct counter *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c == 0)
        c = strcmp(x->exporter, y->exporter);
    if (c == 0)
        c = (x->version > y->version) - (x->version < y->version);
    if (c == 0)
        c = (x->domain > y->domain) - (x->domain < y->domain);
    return c;
}

/* A metric name from a counter's: flowtally_NAME_total, anything but [a-zA-Z0-9_] as _ (the
 * store's names are the collector's own, but a name must never break the format). */
static void counter_name(const char *name, FILE *out)
{
    fputs("flowtally_", out);
    for (const char *p = name; *p; p++) {
        char ch = *p;
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '_';
        fputc(ok ? ch : '_', out);
    }
    fputs("_total", out);
}

static void write_counters(struct counters *cs, FILE *out)
{
    if (cs->n > 1)
        qsort(cs->v, cs->n, sizeof *cs->v, by_name);
    for (size_t i = 0; i < cs->n; i++) {
        const struct counter *c = &cs->v[i];
        if (i == 0 || strcmp(c->name, cs->v[i - 1].name) != 0) {
            fputs("# HELP ", out);
            counter_name(c->name, out);
            fprintf(out,
                    " The collector's counter %s, summed over every flush "
                    "(flowtally stats --counters).\n# TYPE ",
                    c->name);
            counter_name(c->name, out);
            fputs(" counter\n", out);
        }
        counter_name(c->name, out);
        fputs("{exporter=\"", out);
        metrics_label_value(c->exporter, out);
        fprintf(out, "\",version=\"%u\",domain=\"%lu\"} %llu\n", (unsigned)c->version,
                (unsigned long)c->domain, (unsigned long long)c->value);
    }
}

int metrics_write(struct store *s, uint64_t now_ms, FILE *out, char *errbuf)
{
    struct health h;
    int rc = health_read(s, now_ms, HEALTH_SILENT_AFTER_MS, &h, errbuf);
    if (rc != 0)
        return rc;
    write_health(&h, out);
    health_free(&h);
    struct counters cs = {0};
    rc = s->ops->read_stats(s, on_stat, &cs);
    if (rc != 0)
        snprintf(errbuf, ERR_BUF_LEN, "cannot read the counters: %s", s->ops->last_error(s));
    else
        write_counters(&cs, out);
    for (size_t i = 0; i < cs.n; i++) {
        free(cs.v[i].exporter);
        free(cs.v[i].name);
    }
    free(cs.v);
    return rc;
}
