// SPDX-License-Identifier: MIT
// The health of each exporter (`flowtally stats`): out of what each flush saw of each
// exporter (store.h: struct seen_row), when it was last seen, its records and datagrams
// per second over the last flush interval and over the flushes of the last hour, what it
// lost and what was dropped in that hour, and a plain verdict: ok, silent since TIME, or
// losing N%. Reading and the arithmetic are here (integers only, the same on every store
// engine), worked out once per exporter (health_line_of()) for every rendering: the
// printers write a table, CSV or JSON through the one CSV and JSON writer, and the portal's
// exporters page renders the same lines as HTML.
#ifndef FT_HEALTH_H
#define FT_HEALTH_H

#include "../base/addr.h"
#include "report.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define HEALTH_HOUR_MS 3600000ULL
#define HEALTH_SILENT_AFTER_MS 300000ULL /* the default of --silent-after: 5 minutes */
#define HEALTH_SILENT_INTERVALS 3        /* and never less than three flush intervals */
#define HEALTH_LOSING_PERCENT 1          /* losing: more than this share lost in the hour */

/* What rows of one exporter add up to. */
struct health_counts {
    uint64_t packets, records, lost, lost_datagrams, dropped;
    uint64_t bytes; /* the records' bytes times their sampling rate */
};

/* One exporter, as health_read() found it. */
struct health_exporter {
    char exporter[64];         /* the address text as stored */
    struct ip_addr addr;       /* for sorting, when is_addr */
    bool is_addr;              /* the text is an address (else it sorts last, by text) */
    uint64_t last_ms;          /* when the latest flush that saw it was written */
    uint64_t last_interval;    /* that flush's interval (ms) */
    bool in_last_flush;        /* the collector's latest flush saw it */
    struct health_counts last; /* the counts of that latest flush */
    struct health_counts hour; /* summed over the flushes of the last hour */
};

enum health_verdict { HEALTH_OK, HEALTH_SILENT, HEALTH_LOSING };

/* Every exporter the store has flush rows of, sorted as addresses (health_compare()). */
struct health {
    struct health_exporter *ex; /* owned; n of them */
    size_t n, cap;
    uint64_t now_ms;            /* what "ago" and "the last hour" are counted from */
    uint64_t silent_after_ms;   /* --silent-after */
    bool has_flush;             /* the store has a flush row (exporter "*") at or before now */
    uint64_t last_flush_ms;     /* the latest flush */
    uint64_t flush_interval_ms; /* its interval */
    uint64_t hour_span_ms;      /* what the flushes of the last hour covered: from the start
                                 * of the first one's interval to the last one (0: none) */
};

/* Reads what the flushes of the last hour (before now_ms) saw, and each exporter's latest
 * flush, into *h (caller frees with health_free()). silent_after_ms: --silent-after.
 * Returns 0, or a negative code with a message in errbuf. */
int health_read(struct store *s, uint64_t now_ms, uint64_t silent_after_ms, struct health *h,
                char *errbuf);
void health_free(struct health *h);

/* Orders exporters as addresses: IPv4 numerically, then IPv6 numerically, then any text
 * that is not an address, by bytes. For qsort() on struct health_exporter. */
int health_compare(const void *a, const void *b);

/* count per second over ms milliseconds, in tenths, rounded half up (0 when ms is 0). */
uint64_t health_rate_x10(uint64_t count, uint64_t ms);

/* The share of c lost, in tenths of a percent, rounded half up: the larger of the records'
 * ((lost + dropped) of records + lost + dropped, a dropped set counted as one record: at
 * least what was lost) and NetFlow v9's datagrams' (lost_datagrams of packets +
 * lost_datagrams). OUT: *losing, whether that share is over HEALTH_LOSING_PERCENT. */
uint64_t health_loss_x10(const struct health_counts *c, bool *losing);

/* How long an exporter may go unseen before it is silent: silent_after_ms, or three flush
 * intervals when longer (an exporter's last seen time is its latest flush's, so it ages by up
 * to an interval between flushes even when healthy). */
uint64_t health_silent_ms(uint64_t silent_after_ms, uint64_t flush_interval_ms);

/* The verdict on e at h->now_ms: silent when unseen for longer than health_silent_ms(),
 * else losing when its share lost in the hour is over HEALTH_LOSING_PERCENT, else ok. */
enum health_verdict health_judge(const struct health *h, const struct health_exporter *e);

/* Parses --silent-after: whole seconds, 1 to 604800 (a week). Returns 0 or ERR_MALFORMED. */
int health_parse_seconds(const char *s, uint64_t *ms);

/* Everything a row of the health view shows of one exporter, worked out once. Rates and the
 * share are in tenths (x10) and as "N.N" text, exactly what CSV and JSON say. */
struct health_line {
    enum health_verdict verdict;
    uint64_t ago_s;                     /* since last seen */
    uint64_t rec_x10, rec_hour_x10;     /* records/s: the last interval, the hour */
    uint64_t bytes_x10, bytes_hour_x10; /* bytes/s */
    uint64_t dg_x10, dg_hour_x10;       /* datagrams/s */
    uint64_t loss_x10;                  /* the share lost in the hour, in tenths of a % */
    char rec[32], rec_hour[32], bytes[32], bytes_hour[32], dg[32], dg_hour[32], loss[32];
    char bytes_unit[40], bytes_hour_unit[40]; /* bytes/s in decimal units: "12.3 MB/s" */
    char last_seen[32];                       /* local time, "2026-12-06 17:18:24" */
    char verdict_text[64]; /* "ok", "losing 6.7%", "silent since 2026-12-06 17:08:24" */
};

/* Works out the row of e (one of h's) into *l (OUT). Local time: the process's zone. */
void health_line_of(const struct health *h, const struct health_exporter *e, struct health_line *l);

/* "ok", "silent" or "losing": the verdict as CSV and JSON name it. Static. */
const char *health_verdict_word(enum health_verdict v);

/* Prints h as a table (local times), CSV or JSON (unix seconds). */
void health_print(const struct health *h, enum report_format f, FILE *out);

#endif
