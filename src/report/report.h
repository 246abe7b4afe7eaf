// SPDX-License-Identifier: MIT
// The read model: what every surface that shows usage (the CLI now, the web portal and its
// JSON API next) asks for, so all of them show the same numbers. Reading is separate from
// printing: report_*() functions take an open store and a query and return rows (or call a
// row callback); report_print_*() turn rows into a table, CSV or JSON through the one CSV
// and JSON writer. Local time (days, hours, cycles) is computed here and in billing/, in C,
// never in the store.
#ifndef FT_REPORT_H
#define FT_REPORT_H

#include "../base/addr.h"
#include "../base/csv.h"
#include "../base/err.h"
#include "../base/json.h"
#include "../billing/quota.h"
#include "../flow/usage.h"
#include "../store/store.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum report_format { REPORT_TABLE, REPORT_CSV, REPORT_JSON };

/* What a usage report selects and how it groups. */
struct report_query {
    uint64_t from_ms, to_ms; /* period [from, to) by bucket start; to 0 = no end */
    unsigned group;          /* enum usage_group bits (store.h); 0 = by host */
    int64_t subscriber_id;   /* only this subscriber, or -1 */
};

/* The key columns of a usage row, in output order. */
enum report_key {
    REPORT_KEY_SUBSCRIBER,
    REPORT_KEY_HOST,
    REPORT_KEY_CLASS,
    REPORT_KEY_APP,
    REPORT_KEY_PERIOD,
    REPORT_KEYS
};

/* One row per key: the counts of each direction. */
struct report_row {
    char *key[REPORT_KEYS]; /* owned; NULL for keys not grouped. The subscriber is its
                             * account, "(unassigned)" or "(removed #ID)"; the period a
                             * local "YYYY-MM-DD" or "YYYY-MM-DD HH:00". */
    struct ip_addr host;    /* for sorting; all ones when there is none */
    struct usage_counts dir[FLOW_DIR_COUNT];
};

struct report_rows {
    struct report_row *rows; /* owned; n of them, sorted by subscriber, address (IPv4
                              * first), then the other keys */
    size_t n, cap;
    unsigned group; /* as read: never 0 */
};

/* Reads usage as q selects and groups it. OUT: rows (caller frees with
 * report_rows_free()). Returns 0, or a negative code with a message in errbuf. */
int report_usage_rows(struct store *s, const struct report_query *q, struct report_rows *rows,
                      char *errbuf);
void report_rows_free(struct report_rows *rows);
/* Whether rows of this grouping carry key k. */
bool report_key_used(unsigned group, enum report_key k);

/* Narrows q to a subscriber (account, or NULL for all) and, with cycle ("current",
 * "previous", "YYYY-MM", or NULL to keep q's period), to that billing cycle of its plan
 * as of now_ms. The one place that turns --subscriber/--cycle into a period, for the CLI
 * and the portal alike. Returns 0, ERR_NOT_FOUND or ERR_MALFORMED with errbuf. */
int report_scope(struct store *s, const char *account, const char *cycle, uint64_t now_ms,
                 struct report_query *q, char *errbuf);

/* A subscriber's usage against its quota in the cycle holding at_ms, or in `cycle` (as
 * report_scope() reads it) with the figures as of min(at, the cycle's end). OUT: *u.
 * Returns 0, or ERR_NOT_FOUND / ERR_MALFORMED / ERR_STORE with errbuf. */
int report_quota(struct store *s, const char *account, uint64_t at_ms, const char *cycle,
                 struct quota_usage *u, char *errbuf);

/* Calls fn for each subscriber (not closed) over its quota in its current cycle at at_ms,
 * by account. Returns 0 or a negative code with errbuf. */
int report_over_quota(struct store *s, uint64_t at_ms,
                      void (*fn)(void *ctx, const struct quota_usage *u), void *ctx, char *errbuf);

/* ---- printing (report_print.c) ---- */

/* A usage report; q gives the period JSON states. */
void report_print_usage(const struct report_query *q, const struct report_rows *rows,
                        enum report_format f, FILE *out);
/* Collector counters and interface health, straight from the store. Return 0 or a
 * negative code with errbuf. */
int report_print_stats(struct store *s, enum report_format f, FILE *out, char *errbuf);
int report_print_interfaces(struct store *s, enum report_format f, FILE *out, char *errbuf);
/* One subscriber against its quota (`usage ACCOUNT`). */
void report_print_quota(const struct quota_usage *u, enum report_format f, FILE *out);

/* Prints the subscribers over quota as report_over_quota() finds them: begin with the
 * format and output, pass report_print_over_row as its fn, then end. */
struct report_over_printer {
    enum report_format f;
    FILE *out;
    struct json json;
    struct csv csv;
};
void report_print_over_begin(struct report_over_printer *p, enum report_format f, FILE *out);
void report_print_over_row(void *printer, const struct quota_usage *u);
void report_print_over_end(struct report_over_printer *p);

/* Whether the store is the demo one `flowtally run --demo` made (meta "demo" = 1): every
 * surface that shows its figures says they are demo data. */
bool report_is_demo(struct store *s);

/* Says on out (stderr: the formats on stdout stay as they are) that the store holds demo
 * data, when it does. */
void report_note_demo(struct store *s, FILE *out);

/* ---- parsing and units (format.c) ---- */

/* Parses a --by list ("subscriber,class", "host", "day") into usage_group bits. Returns 0
 * or ERR_MALFORMED. */
int report_parse_group(const char *s, unsigned *group);

/* Parses a format name. Returns 0 or ERR_MALFORMED. */
int report_parse_format(const char *s, enum report_format *out);

/* Parses a time: unix seconds, YYYY-MM-DD, or YYYY-MM-DDTHH:MM[:SS][Z], all UTC. Returns 0,
 * ERR_MALFORMED, or -ERANGE for a time in that form that does not exist (2026-02-30,
 * 24:00, :60: no leap seconds) or lies outside 1970..9999. */
int report_parse_time(const char *s, uint64_t *ms);

/* Formats a byte count with a decimal unit ("1.5 GB"); buf holds 32 bytes. */
const char *report_human_bytes(uint64_t bytes, char *buf);

#endif
