// SPDX-License-Identifier: MIT
// The store's rows: what its operations (store.h) take and give, and the callbacks that
// receive rows one at a time. Included through store.h; the conventions at the top of
// store.h hold for every row here.
#ifndef FT_STORE_ROWS_H
#define FT_STORE_ROWS_H

#include "../flow/stats.h"
#include "../flow/usage.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

/* ---- rows ---- */

/* What a usage read groups by; direction is always a key. */
enum usage_group {
    USAGE_BY_SUBSCRIBER = 1 << 0,
    USAGE_BY_HOST = 1 << 1,
    USAGE_BY_CLASS = 1 << 2,
    USAGE_BY_APP = 1 << 3,
    USAGE_BY_DAY = 1 << 4,  /* period = (bucket + utc_offset_s) / 86400: a local day */
    USAGE_BY_HOUR = 1 << 5, /* period = (bucket + utc_offset_s) / 3600: a local hour */
};

/* Local time never enters the store: an engine only adds a fixed offset and divides
 * (integers, the same in every engine). The caller (report/) splits a period at the time
 * zone's changes of offset and names the days and hours. */
struct usage_query {
    uint64_t from_ms, to_ms; /* buckets starting in [from, to) */
    unsigned group;          /* enum usage_group bits; DAY and HOUR: HOUR wins */
    int64_t subscriber_id;   /* only this subscriber (0: unassigned), or -1 for all */
    int32_t utc_offset_s;    /* DAY/HOUR: local time minus UTC throughout [from, to) */
    bool is_rating;          /* scan_usage: only what rating reads (subscriber, class, bucket,
                              * direction, bytes); host and app NULL, packets and flows 0 */
};

/* One row of a usage read: the grouped keys (NULL / 0 when not grouped) and the sums. */
struct usage_result {
    int64_t subscriber_id; /* 0 = unassigned */
    const char *account;   /* NULL if unassigned, removed or not grouped */
    const char *host, *class_name, *app;
    int64_t period; /* DAY/HOUR: the local day or hour number, as above; else 0 */
    enum flow_dir dir;
    struct usage_counts counts;
};

struct plan {
    int64_t id;
    char name[64];
    bool unlimited;
    uint64_t quota_bytes; /* per cycle, when not unlimited */
    char quota_dirs[8];   /* in, out or both: what counts toward the quota */
    int64_t price_micro;  /* monthly price, millionths of the currency */
    int64_t overage_micro_per_gb;
    char speed[64]; /* a label, e.g. "1.6 Mbps symmetrical" */
    int anchor_day; /* day of the month a cycle starts, 1..31 (a shorter month: its last) */
    /* Burstable (95th percentile) billing: the monthly price plus, per Mbps the cycle's
     * 95th percentile rate is above commit_bps, price_micro_per_mbps. */
    bool burstable;
    uint64_t commit_bps;
    int64_t price_micro_per_mbps;
    char burst_dirs[8];    /* in, out or max (the greater of the two percentiles); "" when
                            * not burstable */
    char alert_levels[64]; /* the plan's alert levels ("80,100", "10GB"; checked above the
                            * store); "" = the configured default */
};

struct subscriber {
    int64_t id;
    char account[64]; /* unique; what people type */
    char name[128];
    char email[128];
    char plan[64];   /* plan name, "" for none */
    char status[16]; /* active, suspended, closed */
    char notes[256];
    char alert_levels[64]; /* the customer's own alert levels ("50,90", "10GB"; checked
                            * above the store); "" for none */
    uint64_t plan_from_ms; /* subscriber_save only (never read back): when the plan it
                            * saves took effect; see plan_history */
};

/* One step of a subscriber's plan history: from start_ms it held plan ("" = none) until the
 * next step's start. Before its first step a subscriber held no plan. */
struct plan_step {
    int64_t subscriber_id;
    char plan[64];
    uint64_t start_ms;
};

/* Bytes bought on top of a cycle's quota (`flowtally quota add`). */
struct topup_row {
    int64_t id; /* given by the store */
    int64_t subscriber_id;
    uint64_t at_ms; /* when it was bought: it adds to the quota of the cycle holding it */
    uint64_t bytes;
    int64_t price_micro; /* what it costs, millionths of the currency (0: free) */
};

/* An issued billing document: an invoice for a cycle, or a credit or debit note that
 * corrects one. Never changed once issued (the engines refuse an UPDATE or DELETE). */
struct invoice_row {
    int64_t id;        /* given by the store; lines and settled usage name it */
    char kind[8];      /* invoice, credit, debit */
    int64_t number;    /* given by the store: 1, 2, ... per kind, never reused */
    int64_t refers_to; /* a note: the id of the invoice it corrects; else 0 */
    int64_t subscriber_id;
    char account[64]; /* as they were when issued */
    char name[128];
    char plan[64]; /* the plan held at the cycle's end ("" none) */
    char cycle[8]; /* "YYYY-MM": the local month the billed cycle starts in */
    uint64_t cycle_start_ms, cycle_end_ms;
    uint64_t used_bytes;  /* counted toward the quota in the cycle */
    uint64_t quota_bytes; /* the cycle's quota: prorated plan quotas plus top-ups */
    bool unlimited;
    int64_t subtotal_cents, tax_cents, total_cents;
    int64_t tax_rate_micro; /* percent, in millionths (8.1% = 8100000) */
    char currency[4];       /* ISO 4217 code */
    char unit[4];           /* GB (10^9 bytes) or GiB (2^30) */
    uint64_t issued_ms;
};

/* One line of a document, with its amount already rounded to cents. */
struct invoice_line {
    int64_t invoice_id;
    int seq;             /* 1, 2, ... in the document */
    char kind[12];       /* plan, topup, usage, burst */
    char class_name[33]; /* usage: the traffic class; else "" */
    char cycle[8];       /* the cycle it bills: the document's, or an earlier one (late flows) */
    uint64_t bytes;      /* usage: the bytes charged */
    char quantity[32];   /* decimal text: GB, share of the cycle, Mbps, 1 */
    int64_t unit_price_micro;
    int64_t amount_cents;
    char text[128]; /* what a person reads */
};

/* Usage a document settled: the bytes of a class in a cycle it billed. What a cycle's
 * documents settled, against what the store holds now, is what arrived late. */
struct invoice_usage {
    int64_t invoice_id;
    char cycle[8];
    char class_name[33];
    uint64_t bytes;
};

/* Which documents invoice_list() gives. */
struct invoice_query {
    const char *cycle;     /* "YYYY-MM", or NULL for every cycle */
    int64_t subscriber_id; /* or -1 for all */
    const char *kind;      /* invoice, credit, debit, or NULL for every kind */
};

/* A level a subscriber's usage crossed in a cycle. Each (subscriber, cycle_start_ms, level) is
 * recorded at most once: the store remembers what fired across restarts and collectors.
 * History, like a document: a removed subscriber's alerts stay. */
struct alert_row {
    int64_t id; /* given by the store */
    int64_t subscriber_id;
    char account[64]; /* alert_list only: the subscriber's account ("" when removed) */
    char cycle[8];    /* "YYYY-MM": the local month the cycle starts in */
    uint64_t cycle_start_ms;
    char level[16];                   /* as configured: "80%", "100%", "10GB" */
    uint64_t used_bytes, quota_bytes; /* when it fired (quota 0: unlimited) */
    uint64_t fired_ms;
    int64_t mail_id; /* the message queued with it; 0 = none (no email address) */
};

/* A message in the store's outgoing queue: queued in the transaction that decides to send
 * it, claimed by one sender at a time, never dropped. */
struct mail_row {
    int64_t id;           /* given by the store */
    char event[128];      /* unique: what it is for ("alert:42:2026-03:80%",
                           * "report:2026-03-05"); a second message for one event is
                           * refused, for good (a level re-armed and firing again needs an
                           * event of its own: its fired_ms in it, say) */
    char kind[16];        /* alert, report, invoice, reset (not checked by the store) */
    char message_id[192]; /* its Message-ID header ("<...@host>"): a retry sends the same */
    char to_addr[256];    /* the envelope recipient(s), comma-separated */
    char subject[256];    /* for listings; the header in body is what is sent */
    const char *body;     /* the whole message (headers and MIME body, CRLF lines), any
                           * length, kept byte for byte: borrowed for the call, both ways */
    char state[8];        /* queued, sending, sent, failed */
    int tries;            /* attempts made */
    uint64_t created_ms, next_try_ms, sent_ms; /* sent_ms 0: not sent */
    uint64_t lease_ms;                         /* sending: the claim holds until then; else 0 */
    char last_error[256];                      /* what the last attempt said ("" none) */
};

/* What the enforcement hook last did, or must do, for one subscriber. The row goes with the
 * subscriber when it is removed. */
struct enforce_row {
    int64_t subscriber_id;
    char account[64];     /* read side only (enforce_get, enforce_list): its account */
    char state[8];        /* over, under: what the hook must make true */
    char addresses[1024]; /* the subscriber's addresses and prefixes it was run with (or is
                           * to be), space-separated */
    bool is_done;         /* the hook ran with this state and these addresses and succeeded */
    int tries;
    uint64_t changed_ms, next_try_ms;
    char last_error[256]; /* what the hook's last failure said ("" none) */
};

struct binding_row {
    int64_t id;
    int64_t subscriber_id;
    char account[64];
    char kind[8];   /* prefix or mac */
    char value[64]; /* "10.1.2.3/32", "2001:db8:1200::/56", "aa:bb:cc:dd:ee:ff" */
    uint64_t start_ms, end_ms;
    char source[16];   /* static, register, radius */
    char session[128]; /* RADIUS Acct-Session-Id */
};

struct lease_row {
    char ip[64];
    char mac[18];
    uint64_t start_ms, end_ms;
};

struct class_row {
    char name[33];
    int64_t price_micro_per_gb;
    bool counts_toward_quota;
    bool is_current; /* in the list the daemon loaded last (read side only) */
};

/* Someone who may log in to the portal. */
struct user {
    int64_t id;          /* given by the store; never reused */
    char login[128];     /* lowercase (the caller lowers it; the store compares bytes): an
                          * email address or a name */
    char role[16];       /* customer, staff, admin */
    char account[64];    /* the subscriber a customer sees; "" when none */
    char password[256];  /* crypt(3) text as stored, possibly with a Dovecot scheme prefix
                          * ("{SHA512-CRYPT}$6$..."); "" = none: LDAP only */
    uint64_t created_ms; /* when the user was made */
};

/* A logged-in browser. The token itself is never stored: only its hash. */
struct session_row {
    char id_hash[65]; /* hex SHA-256 of the session token */
    int64_t user_id;
    char csrf[65]; /* the session's anti-forgery token */
    uint64_t created_ms, seen_ms;
};

/* Failed logins counted under one key, to slow guessing down. */
struct login_failure_row {
    char key[200]; /* "user:alice@example.net", "addr:192.0.2.7", ... */
    int64_t failures;
    uint64_t first_ms, last_ms; /* the first and the latest failure counted */
};

/* A password reset link, by the hash of its token (the token itself is only in the mail).
 * Good once, until expires_ms. */
struct reset_row {
    char token_hash[65]; /* hex SHA-256 of the link's token */
    int64_t user_id;
    uint64_t created_ms, expires_ms; /* valid while now < expires_ms */
};

/* What one flush counted from one exporter address (its streams, every version and domain,
 * summed), or, under exporter "*", the flush itself: the sums of its exporters' rows, written
 * at every flush even when nothing came, so readers know when the collector last flushed
 * and how long its intervals are (`flowtally stats`). */
struct seen_row {
    const char *exporter;    /* address text, or "*"; borrowed */
    uint64_t at_ms;          /* when the flush was written */
    uint64_t interval_ms;    /* what the counts were gathered over: since the collector's
                              * previous write (or its start) */
    uint64_t packets;        /* datagrams decoded */
    uint64_t records;        /* flow records (sFlow: samples) emitted */
    uint64_t lost;           /* records missing by sequence number (v5, IPFIX), samples the
                              * sFlow agent dropped */
    uint64_t lost_datagrams; /* NetFlow v9: datagrams missing by sequence number */
    uint64_t dropped;        /* data sets and records dropped undecoded (no template,
                              * malformed) */
    uint64_t bytes;          /* the bytes its records carried, times their sampling rate
                              * (migration 14; 0 in rows written before it) */
};

/* Row callbacks; rows and their strings are borrowed for the call. */
typedef void store_usage_fn(void *ctx, const struct usage_result *r);
typedef void store_stat_fn(void *ctx, const struct stat_row *row);
typedef void store_iface_fn(void *ctx, const struct iface_row *row);
typedef void store_plan_fn(void *ctx, const struct plan *p);
typedef void store_subscriber_fn(void *ctx, const struct subscriber *s);
typedef void store_binding_fn(void *ctx, const struct binding_row *b);
typedef void store_lease_fn(void *ctx, const struct lease_row *l);
typedef void store_class_fn(void *ctx, const struct class_row *c);
typedef void store_user_fn(void *ctx, const struct user *u);
typedef void store_plan_step_fn(void *ctx, const struct plan_step *p);
typedef void store_topup_fn(void *ctx, const struct topup_row *t);
typedef void store_invoice_fn(void *ctx, const struct invoice_row *inv);
typedef void store_invoice_line_fn(void *ctx, const struct invoice_line *l);
typedef void store_invoice_usage_fn(void *ctx, const struct invoice_usage *u);
typedef void store_alert_fn(void *ctx, const struct alert_row *a);
typedef void store_mail_fn(void *ctx, const struct mail_row *m);
typedef void store_enforce_fn(void *ctx, const struct enforce_row *e);
typedef void store_seen_fn(void *ctx, const struct seen_row *r);

/* A unit of work run inside one transaction (store_transaction(), store_admin_batch()). */
typedef int store_work_fn(struct store *s, void *ctx);

/* store_binding_add() changed nothing: the account holds an open binding of the value
 * already (errbuf says since when). Not an error. */
#define STORE_BINDING_HELD 1

#endif
