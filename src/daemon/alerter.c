// SPDX-License-Identifier: MIT
// One thread, woken by a flush or once a second. Its rounds are short and each is its own
// set of store transactions; what it must not lose (a fired level, a queued message, the
// state the hook must make true) is in the store before anything is sent or run.
#include "alerter.h"

#include "../alert/enforce.h"
#include "../alert/evaluate.h"
#include "../alert/invoice_mail.h"
#include "../alert/message.h"
#include "../alert/sender.h"
#include "../alert/smtp.h"
#include "../alert/staff.h"
#include "../base/err.h"
#include "../base/intern.h"
#define LOG_TAG "alerts"
#include "../base/log.h"
#include "../base/xalloc.h"
#include "../store/store.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ALERTER_QUEUE_MAX 2000000  /* flush rows waiting; more are dropped and counted */
#define ALERTER_MEMORY_MAX 1000000 /* subscribers whose usage is kept in memory */
#define ALERTER_SWEEP_MS 600000    /* memory of ended cycles is let go this often */

/* A flush row of a subscriber, waiting for the next round. */
struct queued_row {
    uint32_t subscriber;
    struct evaluate_delta d;
};
#define ALERTER_RECHECK_MS 60000 /* subscribers over quota are looked at again this often */
#define ALERTER_MAIL_BATCH 20    /* messages per round */
#define ALERTER_LEASE_MS 300000  /* a claimed message is another sender's after this */
/* Issued documents are looked for this often: a round reads every document still waiting
 * for an address, and a bill run issues them minutes apart at most. */
#define ALERTER_INVOICE_MS 60000
/* At start, the subscribers with usage in this much of the latest buckets are evaluated:
 * the rows of a stopped or crashed run's last flushes are among them (a flow is billed to
 * its end's bucket, minutes after it ended at most, unless an exporter sends it late). */
#define ALERTER_CATCHUP_MS (24 * 3600 * 1000ULL)
#define ALERTER_INVOICE_BATCH 5 /* PDFs a round lays out at most (each takes a moment) */

struct alerter {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stop;
    struct queued_row *queue; /* flush rows of subscribers to evaluate; under lock */
    size_t n_queue, cap_queue;
    uint64_t dropped;               /* rows; under lock */
    bool is_lost;                   /* rows were dropped since the last round; under lock */
    struct evaluate_memory *memory; /* the thread's */
    uint64_t last_sweep_ms;
    struct store *store; /* the thread's own */
    struct evaluate_config eval;
    struct message_texts alert_texts, report_texts, invoice_texts;
    bool has_mail, has_staff, is_enforcing, has_invoice_mail;
    struct invoice_mail invoice;
    uint64_t last_invoice_ms;
    struct sender_config sender;
    struct staff_config staff;
    const char *quota_command;
    int hook_timeout_s;
    char domain[128];
    uint64_t last_recheck_ms;
};

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void alerter_flushed(void *ctx, const struct flush_moved *rows, size_t n,
                     const struct intern *classes)
{
    struct alerter *a = ctx;
    pthread_mutex_lock(&a->lock);
    for (size_t i = 0; i < n; i++) {
        if (a->n_queue == ALERTER_QUEUE_MAX) {
            a->dropped += n - i; /* evaluated at their next usage, or the recheck */
            a->is_lost = true;   /* memory missed them: it starts again */
            break;
        }
        if (a->n_queue == a->cap_queue) {
            a->cap_queue = a->cap_queue ? 2 * a->cap_queue : 1024;
            a->queue = xrealloc(a->queue, a->cap_queue * sizeof *a->queue);
        }
        a->queue[a->n_queue++] = (struct queued_row){
            rows[i].subscriber,
            {.bucket_s = rows[i].bucket_s,
             .dir = rows[i].dir,
             .class_name = intern_name(classes, rows[i].class_id), /* never moved */
             .bytes = rows[i].bytes}};
    }
    pthread_cond_signal(&a->wake);
    pthread_mutex_unlock(&a->lock);
}

/* The subscribers over quota, looked at again: a new cycle puts them back under without
 * any usage of theirs moving. */
struct over_ids {
    int64_t *ids;
    size_t n;
};

static void add_id(void *ctx, int64_t subscriber_id)
{
    struct over_ids *o = ctx;
    o->ids = xrealloc(o->ids, (o->n + 1) * sizeof *o->ids);
    o->ids[o->n++] = subscriber_id;
}

static void add_over(void *ctx, const struct enforce_row *e)
{
    if (strcmp(e->state, "over") == 0)
        add_id(ctx, e->subscriber_id);
}

static bool is_stopping(struct alerter *a)
{
    pthread_mutex_lock(&a->lock);
    bool stop = a->stop;
    pthread_mutex_unlock(&a->lock);
    return stop;
}

/* Evaluates the subscribers exactly, one by one; a stop ends it (whoever is left is looked
 * at by the next start's catch_up()). */
static void evaluate_ids(struct alerter *a, const int64_t *ids, size_t n, uint64_t now)
{
    struct evaluate_counts c = {0};
    char errbuf[ERR_BUF_LEN];
    for (size_t i = 0; i < n; i++) {
        if (i % 32 == 31 && is_stopping(a))
            break;
        errbuf[0] = '\0';
        if (evaluate_subscriber(a->store, &a->eval, ids[i], now, &c, errbuf) != 0)
            log_warn("subscriber %lld: %s", (long long)ids[i], errbuf);
    }
}

static int by_subscriber(const void *x, const void *y)
{
    uint32_t a = ((const struct queued_row *)x)->subscriber;
    uint32_t b = ((const struct queued_row *)y)->subscriber;
    return (a > b) - (a < b);
}

/* Evaluates each subscriber the rows name once, with all its rows (several flushes while
 * the last round ran name it several times): from memory where that will do. */
static void evaluate_rows(struct alerter *a, struct queued_row *rows, size_t n, uint64_t now)
{
    struct evaluate_counts c = {0};
    char errbuf[ERR_BUF_LEN];
    if (evaluate_round_begin(a->store, a->memory, errbuf) != 0) {
        log_warn("%s", errbuf);
        return; /* evaluated at their next usage */
    }
    qsort(rows, n, sizeof *rows, by_subscriber);
    struct evaluate_delta *d = xmalloc(n * sizeof *d);
    size_t n_ids = 0;
    for (size_t i = 0; i < n; n_ids++) {
        uint32_t id = rows[i].subscriber;
        size_t m = 0;
        for (; i < n && rows[i].subscriber == id; i++)
            d[m++] = rows[i].d;
        errbuf[0] = '\0';
        if (evaluate_moved(a->store, &a->eval, a->memory, id, d, m, now, &c, errbuf) != 0)
            log_warn("subscriber %u: %s", id, errbuf);
    }
    free(d);
    log_debug("%zu subscribers moved: %llu read from the store, %llu from memory", n_ids,
              (unsigned long long)c.evaluated, (unsigned long long)c.remembered);
}

static void round_once(struct alerter *a, struct queued_row *rows, size_t n, bool is_lost)
{
    uint64_t now = now_ms();
    char errbuf[ERR_BUF_LEN];
    if (is_lost)
        evaluate_memory_clear(a->memory);
    if (now - a->last_sweep_ms >= ALERTER_SWEEP_MS) {
        a->last_sweep_ms = now;
        evaluate_memory_sweep(a->memory, now);
    }
    if (n)
        evaluate_rows(a, rows, n, now);
    if (a->is_enforcing && now - a->last_recheck_ms >= ALERTER_RECHECK_MS) {
        a->last_recheck_ms = now;
        struct over_ids o = {0};
        if (store_enforce_list(a->store, UINT64_MAX, add_over, &o) == 0)
            evaluate_ids(a, o.ids, o.n, now);
        free(o.ids);
    }
    if (a->is_enforcing) {
        struct enforce_counts ec = {0};
        if (enforce_round(a->store, a->quota_command, a->hook_timeout_s, now, &ec, errbuf) != 0)
            log_warn("%s", errbuf);
    }
    if (a->has_staff && staff_report_due(a->store, &a->staff, now, errbuf) < 0)
        log_warn("daily report: %s", errbuf);
    if (a->has_invoice_mail && now - a->last_invoice_ms >= ALERTER_INVOICE_MS) {
        a->last_invoice_ms = now;
        struct invoice_mail_counts ic = {0};
        if (invoice_mail_round(a->store, &a->invoice, now, &ic, NULL, NULL, errbuf) != 0)
            log_warn("invoice mail: %s", errbuf);
    }
    if (a->has_mail) {
        struct sender_counts sc = {0};
        if (sender_round(a->store, &a->sender, now, ALERTER_MAIL_BATCH, &sc, errbuf) != 0)
            log_warn("mail: %s", errbuf);
    }
}

/* What the last run left unevaluated, evaluated first: the rows of its last flushes (a stop
 * does not wait for them, and a crash cannot), and whatever flushed after it crossed a
 * level. Every subscriber with usage in the last ALERTER_CATCHUP_MS of buckets is read
 * exactly once; a level already fired stays fired (the store remembers). */
static void catch_up(struct alerter *a)
{
    uint64_t now = now_ms(), t0 = now;
    struct over_ids o = {0};
    if (store_usage_subscribers(a->store, now - ALERTER_CATCHUP_MS, add_id, &o) != 0) {
        log_warn("alerts: cannot list the subscribers to catch up on: %s",
                 a->store->ops->last_error(a->store));
        return;
    }
    evaluate_ids(a, o.ids, o.n, now);
    log_info("alerts: %zu subscribers with usage in the last day evaluated in %llu ms", o.n,
             (unsigned long long)(now_ms() - t0));
    free(o.ids);
}

static void *alerter_main(void *arg)
{
    struct alerter *a = arg;
    catch_up(a);
    pthread_mutex_lock(&a->lock);
    for (;;) {
        if (!a->n_queue && !a->stop) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_sec += 1;
            pthread_cond_timedwait(&a->wake, &a->lock, &until);
        }
        struct queued_row *rows = a->queue;
        size_t n = a->n_queue;
        bool stop = a->stop, is_lost = a->is_lost;
        a->queue = NULL;
        a->n_queue = a->cap_queue = 0;
        a->is_lost = false;
        if (stop) { /* the rows of the last flushes: the next start's catch_up() has them */
            free(rows);
            break;
        }
        pthread_mutex_unlock(&a->lock);
        round_once(a, rows, n, is_lost);
        free(rows);
        pthread_mutex_lock(&a->lock);
    }
    pthread_mutex_unlock(&a->lock);
    return NULL;
}

/* Everything the configuration says, checked before the thread starts. */
static int configure(struct alerter *a, const struct config *cfg, char *errbuf)
{
    if (levels_parse(cfg->alert_levels, &a->eval.default_levels, errbuf) != 0)
        return ERR_CONFIG;
    a->is_enforcing = cfg->quota_command[0] != '\0';
    a->eval.is_enforcing = a->is_enforcing;
    if (a->is_enforcing) {
        struct levels one;
        if (levels_parse(cfg->enforce_level, &one, errbuf) != 0 || one.n != 1) {
            if (one.n != 1)
                snprintf(errbuf, ERR_BUF_LEN, "enforce_level '%s': expected one level",
                         cfg->enforce_level);
            return ERR_CONFIG;
        }
        a->eval.enforce_level = one.l[0];
        a->quota_command = cfg->quota_command;
        a->hook_timeout_s = (int)cfg->quota_command_timeout;
    }
    a->has_mail = cfg->smtp[0] && cfg->mail_from[0];
    const char *at = strchr(cfg->mail_from, '@');
    snprintf(a->domain, sizeof a->domain, "%s", at ? at + 1 : "localhost");
    a->eval.from = (struct message_from){cfg->operator_name, cfg->mail_from, a->domain};
    if (a->has_mail) {
        if (message_texts_load(MESSAGE_ALERT, cfg->mail_templates, &a->alert_texts, errbuf) != 0 ||
            message_texts_load(MESSAGE_REPORT, cfg->mail_templates, &a->report_texts, errbuf) != 0)
            return ERR_CONFIG;
        if (smtp_global_init() != 0) {
            snprintf(errbuf, ERR_BUF_LEN, "cannot set up libcurl for SMTP");
            return ERR_CONFIG;
        }
        a->eval.texts = &a->alert_texts;
        a->sender =
            (struct sender_config){.smtp = {.url = cfg->smtp,
                                            .user = cfg->smtp_user,
                                            .password = cfg->smtp_password,
                                            .tls_required = strcmp(cfg->smtp_tls, "required") == 0,
                                            .ca_file = cfg->smtp_ca,
                                            .timeout_s = 30},
                                   .envelope_from = cfg->mail_from,
                                   .give_up_ms = (uint64_t)cfg->mail_give_up * 1000,
                                   .lease_ms = ALERTER_LEASE_MS};
    }
    a->has_invoice_mail = a->has_mail && cfg->invoice_mail;
    if (a->has_invoice_mail) {
        if (message_texts_load(MESSAGE_INVOICE, cfg->mail_templates, &a->invoice_texts, errbuf) !=
            0)
            return ERR_CONFIG;
        a->invoice =
            (struct invoice_mail){.texts = &a->invoice_texts,
                                  .from = a->eval.from,
                                  .op = {cfg->operator_name, cfg->operator_address, cfg->web_logo},
                                  .max_per_round = ALERTER_INVOICE_BATCH};
    }
    a->has_staff = a->has_mail && cfg->staff_email[0];
    if (a->has_staff) {
        int h = 0, m = 0;
        sscanf(cfg->staff_report_at, "%d:%d", &h, &m); /* checked by config */
        a->staff =
            (struct staff_config){cfg->staff_email, h * 60 + m, &a->report_texts, a->eval.from};
    }
    return 0;
}

struct rows {
    struct enforce_row *r;
    size_t n;
};

static void add_row(void *ctx, const struct enforce_row *e)
{
    struct rows *rs = ctx;
    rs->r = xrealloc(rs->r, (rs->n + 1) * sizeof *rs->r);
    rs->r[rs->n++] = *e;
}

/* The hook must run again for whoever is over: a ruleset reloaded while we were down (a
 * `flush ruleset`) may have emptied its sets. */
static void rerun_over(struct store *s)
{
    struct rows rs = {0};
    if (store_enforce_list(s, UINT64_MAX, add_row, &rs) == 0)
        for (size_t i = 0; i < rs.n; i++) {
            if (strcmp(rs.r[i].state, "over") != 0 || !rs.r[i].is_done)
                continue;
            rs.r[i].is_done = false;
            rs.r[i].tries = 0;
            rs.r[i].next_try_ms = 0;
            store_enforce_put(s, &rs.r[i]);
        }
    free(rs.r);
}

static void alerter_free(struct alerter *a)
{
    message_texts_free(&a->alert_texts);
    message_texts_free(&a->report_texts);
    message_texts_free(&a->invoice_texts);
    store_close(a->store);
    evaluate_memory_free(a->memory);
    free(a->queue);
    pthread_mutex_destroy(&a->lock);
    pthread_cond_destroy(&a->wake);
    free(a);
}

int alerter_check(const struct config *cfg, char *errbuf)
{
    struct alerter *a = xcalloc(1, sizeof *a);
    pthread_mutex_init(&a->lock, NULL);
    pthread_cond_init(&a->wake, NULL);
    int rc = configure(a, cfg, errbuf);
    alerter_free(a);
    return rc;
}

struct alerter *alerter_start(const struct config *cfg, char *errbuf)
{
    errbuf[0] = '\0';
    struct alerter *a = xcalloc(1, sizeof *a);
    pthread_mutex_init(&a->lock, NULL);
    pthread_cond_init(&a->wake, NULL);
    a->memory = evaluate_memory_new(ALERTER_MEMORY_MAX);
    if (configure(a, cfg, errbuf) != 0 || !(a->store = store_open(cfg->db, false, errbuf))) {
        alerter_free(a);
        return NULL;
    }
    if (a->is_enforcing)
        rerun_over(a->store);
    if (pthread_create(&a->thread, NULL, alerter_main, a) != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "cannot start the alert thread");
        alerter_free(a);
        return NULL;
    }
    log_info("alerts: levels %s%s%s%s%s", cfg->alert_levels, a->has_mail ? ", mail" : "",
             a->has_staff ? ", daily report" : "", a->has_invoice_mail ? ", invoices" : "",
             a->is_enforcing ? ", quota_command" : "");
    return a;
}

void alerter_stop(struct alerter *a)
{
    if (!a)
        return;
    pthread_mutex_lock(&a->lock);
    a->stop = true;
    pthread_cond_signal(&a->wake);
    pthread_mutex_unlock(&a->lock);
    pthread_join(a->thread, NULL);
    if (a->dropped)
        log_warn("%llu flush rows were not evaluated (queue full)", (unsigned long long)a->dropped);
    alerter_free(a);
}
