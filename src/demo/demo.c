// SPDX-License-Identifier: MIT
// The demo store: made once, marked demo (meta "demo" = 1) before anything goes in, filled
// with world.c's WISP (plans, subscribers, bindings, MAC registrations, leases, portal
// logins) in one transaction, then with a month of history through the store's add_usage,
// the call the collector's flush makes, in transactions of BATCH_ROWS rows (about 115,000
// rows: a second or two). The end of the history is stored last (meta
// "demo_history_end_s"): a store marked demo without it was left half made, and is refused.
#include "demo.h"

#include "../auth/password.h"
#include "../base/addr.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOG_TAG "demo"
#include "../base/log.h"

#define BATCH_ROWS 200000 /* usage rows per transaction, as tools/bench/seedbills.c */
#define GB 1000000000ull
#define MICRO 1000000

static const struct plan plans[] = {
    /* etc/plans.example, the README's WISP */
    {.name = "basic",
     .quota_bytes = 15 * GB,
     .quota_dirs = "both",
     .price_micro = 25 * MICRO,
     .overage_micro_per_gb = 2 * MICRO,
     .speed = "1.6 Mbps symmetrical",
     .anchor_day = 1},
    {.name = "pro",
     .quota_bytes = 20 * GB,
     .quota_dirs = "both",
     .price_micro = 35 * MICRO,
     .overage_micro_per_gb = 1500000,
     .speed = "3 Mbps symmetrical",
     .anchor_day = 1},
    {.name = "premium",
     .unlimited = true,
     .quota_dirs = "both",
     .price_micro = 55 * MICRO,
     .speed = "6 Mbps symmetrical",
     .anchor_day = 1},
};

struct seed {
    uint64_t from_ms; /* the history's start: plans, bindings and leases hold from here */
    uint64_t lease_end_ms;
    char *errbuf;
};

static int add_subscriber(struct store *s, const struct seed *sd, int i)
{
    struct world_sub w;
    world_sub(i, &w);
    struct subscriber sub = {.plan_from_ms = sd->from_ms};
    snprintf(sub.account, sizeof sub.account, "%s", w.account);
    snprintf(sub.name, sizeof sub.name, "%s", w.name);
    snprintf(sub.email, sizeof sub.email, "%s", w.email);
    snprintf(sub.plan, sizeof sub.plan, "%s", w.plan);
    snprintf(sub.status, sizeof sub.status, "active");
    snprintf(sub.notes, sizeof sub.notes, "demo subscriber %d", i);
    int rc = store_subscriber_save(s, &sub, true, sd->errbuf);
    char v4[32];
    snprintf(v4, sizeof v4, "10.20.0.%d", i);
    if (rc == 0)
        rc = store_binding_add(s, w.account, "mac", w.mac, sd->from_ms, 0, "register", NULL,
                               sd->errbuf);
    if (rc >= 0 && w.by_lease) {
        struct lease_row l = {.start_ms = sd->from_ms, .end_ms = sd->lease_end_ms};
        snprintf(l.ip, sizeof l.ip, "%s", v4);
        snprintf(l.mac, sizeof l.mac, "%s", w.mac);
        if (store_lease_put(s, &l) != 0) {
            snprintf(sd->errbuf, ERR_BUF_LEN, "lease of %s: %s", v4, s->ops->last_error(s));
            return ERR_STORE;
        }
    } else if (rc >= 0) {
        strcat(v4, "/32");
        rc = store_binding_add(s, w.account, "prefix", v4, sd->from_ms, 0, "static", NULL,
                               sd->errbuf);
    }
    if (rc >= 0 && w.has_ipv6)
        rc = store_binding_add(s, w.account, "prefix", w.ipv6, sd->from_ms, 0, "static", NULL,
                               sd->errbuf);
    return rc < 0 ? rc : 0;
}

static int add_user(struct store *s, const char *login, const char *role, const char *account,
                    char *errbuf)
{
    struct user u = {0};
    snprintf(u.login, sizeof u.login, "%s", login);
    snprintf(u.role, sizeof u.role, "%s", role);
    snprintf(u.account, sizeof u.account, "%s", account);
    int rc = password_hash(DEMO_PASSWORD, u.password, errbuf);
    return rc != 0 ? rc : store_user_save(s, &u, true, errbuf);
}

/* Plans, subscribers, bindings, leases and logins: one transaction. */
static int seed_admin(struct store *s, void *ctx)
{
    struct seed *sd = ctx;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof plans / sizeof plans[0]; i++)
        rc = store_plan_save(s, &plans[i], true, sd->errbuf);
    for (int i = 1; rc == 0 && i <= DEMO_SUBSCRIBERS; i++)
        rc = add_subscriber(s, sd, i);
    for (int n = 1; rc == 0 && n <= DEMO_LOGINS; n++) {
        struct world_sub w;
        world_sub(n * DEMO_CUSTOMER, &w);
        rc = add_user(s, w.account, "customer", w.account, sd->errbuf);
    }
    if (rc == 0)
        rc = add_user(s, DEMO_STAFF_LOGIN, "staff", "", sd->errbuf);
    return rc;
}

struct usage_writer {
    struct store *s;
    size_t in_tx; /* rows in the open transaction */
    char *errbuf;
};

static int put_row(struct usage_writer *uw, uint32_t id, const struct world_hour *wh,
                   uint64_t bucket_s, enum flow_dir dir)
{
    struct store *s = uw->s;
    if (uw->in_tx == 0 && s->ops->begin(s) != 0)
        goto fail;
    bool in = dir == FLOW_DIR_IN;
    struct usage_row r = {.key = {.bucket_s = (uint32_t)bucket_s, .subscriber = id, .dir = dir},
                          .counts = {.bytes = in ? wh->bytes_in : wh->bytes_out,
                                     .packets = in ? wh->packets_in : wh->packets_out,
                                     .flows = wh->flows}};
    if (addr_parse(wh->host, &r.key.host) != 0) {
        snprintf(uw->errbuf, ERR_BUF_LEN, "demo: bad host '%s'", wh->host);
        s->ops->rollback(s);
        return ERR_MALFORMED;
    }
    if (s->ops->add_usage(s, &r, wh->class_name, wh->app) != 0)
        goto fail;
    if (++uw->in_tx == BATCH_ROWS) {
        uw->in_tx = 0;
        if (s->ops->commit(s) != 0)
            goto fail;
    }
    return 0;
fail:
    snprintf(uw->errbuf, ERR_BUF_LEN, "cannot write the demo history: %s", s->ops->last_error(s));
    s->ops->rollback(s);
    return ERR_STORE;
}

/* The history, hour after hour, every subscriber's rows of an hour together, as flushes
 * write them. */
static int seed_usage(struct store *s, uint64_t from_h, uint64_t to_h, char *errbuf)
{
    uint32_t ids[DEMO_SUBSCRIBERS + 1];
    for (int i = 1; i <= DEMO_SUBSCRIBERS; i++) {
        struct world_sub w;
        struct subscriber sub;
        world_sub(i, &w);
        if (store_subscriber_get(s, w.account, &sub) != 0) {
            snprintf(errbuf, ERR_BUF_LEN, "demo: subscriber %s was not stored", w.account);
            return ERR_STORE;
        }
        ids[i] = (uint32_t)sub.id;
    }
    const struct class_row *classes;
    size_t n_classes = world_classes(&classes);
    if (s->ops->begin(s) != 0 ||
        store_classes_write(s, classes, n_classes, from_h * 3600000) != 0 ||
        s->ops->commit(s) != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "cannot store the classes: %s", s->ops->last_error(s));
        s->ops->rollback(s);
        return ERR_STORE;
    }
    struct usage_writer uw = {.s = s, .errbuf = errbuf};
    for (uint64_t h = from_h; h < to_h; h++) {
        for (int i = 1; i <= DEMO_SUBSCRIBERS; i++) {
            struct world_hour wh;
            if (!world_hour(i, h, &wh))
                continue;
            int rc = put_row(&uw, ids[i], &wh, h * 3600, FLOW_DIR_IN);
            if (rc == 0)
                rc = put_row(&uw, ids[i], &wh, h * 3600, FLOW_DIR_OUT);
            if (rc != 0)
                return rc;
        }
    }
    if (uw.in_tx && s->ops->commit(s) != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "cannot write the demo history: %s", s->ops->last_error(s));
        s->ops->rollback(s);
        return ERR_STORE;
    }
    return 0;
}

static void count_one(void *ctx, const void *row)
{
    (void)row;
    (*(size_t *)ctx)++;
}
static void count_plan(void *ctx, const struct plan *p)
{
    count_one(ctx, p);
}
static void count_subscriber(void *ctx, const struct subscriber *s)
{
    count_one(ctx, s);
}
static void count_user(void *ctx, const struct user *u)
{
    count_one(ctx, u);
}

/* Whether a store that is not marked demo holds nothing an operator made. */
static bool is_empty(struct store *s)
{
    size_t n = 0;
    if (store_plan_list(s, count_plan, &n) != 0 ||
        store_subscriber_list(s, count_subscriber, &n) != 0 ||
        store_user_list(s, count_user, &n) != 0)
        return false;
    return n == 0 && store_usage_version(s) == 0;
}

static int write_file(const char *dir, const char *name, const char *text, char *errbuf)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        int rc = -errno;
        snprintf(errbuf, ERR_BUF_LEN, "cannot write %.900s: %s", path, strerror(errno));
        if (f)
            fclose(f);
        return rc;
    }
    return 0;
}

/* The daemon's lists: classes as world.c's (prefix files by absolute path, so the daemon
 * finds them from any directory) and the applications the demo's flows use. */
static int write_conf(const char *dir, char *errbuf)
{
    char classes[8192 + 256];
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        int rc = -errno;
        snprintf(errbuf, ERR_BUF_LEN, "cannot make %s: %s", dir, strerror(errno));
        return rc;
    }
    snprintf(classes, sizeof classes,
             "# Written by `flowtally run --demo` at every start.\n"
             "free            0      no   %s/free.txt\n"
             "national        0.50   yes  %s/national.txt\n"
             "international   2.00   yes  default\n",
             dir, dir);
    int rc = write_file(dir, "classes.conf", classes, errbuf);
    if (rc == 0)
        rc = write_file(dir, "free.txt", "192.0.2.0/24\n2001:db8:f0::/48\n", errbuf);
    if (rc == 0)
        rc = write_file(dir, "national.txt",
                        "198.51.100.0/24\n203.0.113.0/24\n2001:db8:ff00::/40\n", errbuf);
    if (rc == 0)
        rc = write_file(dir, "apps.conf",
                        "HTTPS=tcp:443|tcp:8443\nQUIC=udp:443\nHTTP=tcp:80|tcp:8080\n"
                        "DNS=53\nSSH=tcp:22\nIMAPS=tcp:993\nBitTorrent=6881-6999\n",
                        errbuf);
    return rc;
}

/* Marks and fills a new store. */
static int make(struct store *s, uint64_t to_h, char *errbuf)
{
    uint64_t from_h = to_h - DEMO_HISTORY_HOURS;
    struct seed sd = {
        .from_ms = from_h * 3600000, .lease_end_ms = (to_h + 365 * 24) * 3600000, .errbuf = errbuf};
    if (store_meta_set(s, DEMO_META_MARK, 1) != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "cannot mark the store demo: %s", s->ops->last_error(s));
        return ERR_STORE;
    }
    int rc = store_admin_batch(s, seed_admin, &sd);
    if (rc == 0)
        rc = seed_usage(s, from_h, to_h, errbuf);
    if (rc == 0 && store_meta_set(s, DEMO_META_END, (int64_t)(to_h * 3600)) != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "cannot finish the demo store: %s", s->ops->last_error(s));
        rc = ERR_STORE;
    }
    return rc;
}

int demo_prepare(const char *db, const char *conf_dir, uint64_t now_s, struct demo_info *info,
                 char *errbuf)
{
    memset(info, 0, sizeof *info);
    bool is_uri = strstr(db, "://") != NULL;
    bool existed = !is_uri && access(db, F_OK) == 0;
    struct store *s = store_open(db, false, errbuf);
    if (!s)
        return ERR_STORE;
    int64_t mark = 0, end = 0;
    int rc = 0;
    store_meta_get(s, DEMO_META_MARK, &mark);
    store_meta_get(s, DEMO_META_END, &end);
    if (mark != 1 && (existed || !is_empty(s))) {
        snprintf(errbuf, ERR_BUF_LEN,
                 "%s is not a demo store: --demo writes a fictional WISP and never into a real "
                 "store; run it without --db (it makes %s) or name a new file",
                 db, DEMO_DB);
        rc = ERR_EXISTS;
    } else if (mark == 1 && end == 0) {
        snprintf(errbuf, ERR_BUF_LEN,
                 "%s: a demo store left half made (no %s): remove it and start again", db,
                 DEMO_META_END);
        rc = ERR_EXISTS;
    } else if (mark != 1) {
        uint64_t to_h = now_s / 3600;
        rc = make(s, to_h, errbuf);
        end = (int64_t)(to_h * 3600);
        info->was_made = true;
    }
    store_close(s);
    info->history_to_s = (uint64_t)end;
    info->history_from_s = (uint64_t)end - DEMO_HISTORY_HOURS * 3600;
    return rc != 0 ? rc : write_conf(conf_dir, errbuf);
}
