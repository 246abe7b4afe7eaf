// SPDX-License-Identifier: MIT
// Validation and normalisation of administrative input.
#include "admin.h"

#include "../base/addr.h"
#include "../base/units.h"
#include "../collect/leases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct store *admin_open(const char *db, char *errbuf)
{
    return store_open(db, false, errbuf);
}

static bool valid_name(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n >= max)
        return false;
    for (; *s; s++)
        if ((unsigned char)*s < 0x21 || *s == ',' || *s == '"' || *s == '\\') /* CSV/JSON-safe */
            return false;
    return true;
}

static int fail(char *errbuf, const char *what, const char *value, const char *expected)
{
    snprintf(errbuf, ERR_BUF_LEN, "%s '%s': expected %s", what, value, expected);
    return ERR_MALFORMED;
}

static int apply_plan_fields(struct plan *p, const struct plan_fields *f, char *errbuf)
{
    if (f->quota) {
        p->unlimited = strcmp(f->quota, "unlimited") == 0;
        if (!p->unlimited && units_parse_bytes(f->quota, &p->quota_bytes) != 0)
            return fail(errbuf, "--quota", f->quota, "a size such as 15GB, 500MiB or unlimited");
    }
    if (f->dirs) {
        if (strcmp(f->dirs, "in") && strcmp(f->dirs, "out") && strcmp(f->dirs, "both"))
            return fail(errbuf, "--dirs", f->dirs, "in, out or both");
        snprintf(p->quota_dirs, sizeof p->quota_dirs, "%s", f->dirs);
    }
    if (f->price && units_parse_money(f->price, &p->price_micro) != 0)
        return fail(errbuf, "--price", f->price, "an amount such as 25.00");
    if (f->overage && units_parse_money(f->overage, &p->overage_micro_per_gb) != 0)
        return fail(errbuf, "--overage", f->overage, "an amount per GB such as 2.50");
    if (f->speed)
        snprintf(p->speed, sizeof p->speed, "%s", f->speed);
    if (f->anchor) {
        char *end;
        long day = strtol(f->anchor, &end, 10);
        if (*end || end == f->anchor || day < 1 || day > 28)
            return fail(errbuf, "--anchor", f->anchor, "a day of the month from 1 to 28");
        p->anchor_day = (int)day;
    }
    return 0;
}

int admin_plan_save(struct store *s, const char *name, const struct plan_fields *f, bool insert,
                    char *errbuf)
{
    struct plan p = {.unlimited = true, .anchor_day = 1};
    snprintf(p.quota_dirs, sizeof p.quota_dirs, "both");
    if (!valid_name(name, sizeof p.name))
        return fail(errbuf, "plan name", name, "1-63 characters without blanks, commas or quotes");
    if (!insert && store_plan_get(s, name, &p) != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "no plan named '%s'", name);
        return ERR_NOT_FOUND;
    }
    snprintf(p.name, sizeof p.name, "%s", name);
    int rc = apply_plan_fields(&p, f, errbuf);
    return rc ? rc : store_plan_save(s, &p, insert, errbuf);
}

int admin_subscriber_save(struct store *s, const char *account, const struct subscriber_fields *f,
                          bool insert, char *errbuf)
{
    struct subscriber sub = {0};
    snprintf(sub.status, sizeof sub.status, "active");
    if (!valid_name(account, sizeof sub.account))
        return fail(errbuf, "account", account, "1-63 characters without blanks, commas or quotes");
    if (!insert && store_subscriber_get(s, account, &sub) != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "no subscriber '%s'", account);
        return ERR_NOT_FOUND;
    }
    snprintf(sub.account, sizeof sub.account, "%s", account);
    if (f->status) {
        if (strcmp(f->status, "active") && strcmp(f->status, "suspended") &&
            strcmp(f->status, "closed"))
            return fail(errbuf, "--status", f->status, "active, suspended or closed");
        snprintf(sub.status, sizeof sub.status, "%s", f->status);
    }
#define SET(field)                                                                                 \
    if (f->field)                                                                                  \
        snprintf(sub.field, sizeof sub.field, "%s", f->field);
    SET(name)
    SET(email)
    SET(plan)
    SET(notes)
#undef SET
    return store_subscriber_save(s, &sub, insert, errbuf);
}

int admin_binding_value(const char *text, const char **kind, char *value, size_t size, char *errbuf)
{
    uint8_t mac[6];
    struct ip_addr a;
    unsigned len;
    if (units_parse_mac(text, mac) == 0) {
        char buf[18];
        *kind = "mac";
        snprintf(value, size, "%s", units_format_mac(mac, buf));
        return 0;
    }
    if (prefix_parse(text, &a, &len) == 0) {
        char buf[ADDR_STR_LEN + 4];
        *kind = "prefix";
        snprintf(value, size, "%s", prefix_format(&a, len, buf));
        return 0;
    }
    return fail(errbuf, "binding", text,
                "an address (10.1.2.3), a prefix (2001:db8:1200::/56) or a MAC "
                "(aa:bb:cc:dd:ee:ff), with no host bits set below the prefix length");
}

int admin_bind(struct store *s, const char *account, const char *what, uint64_t start_ms,
               uint64_t end_ms, const char *source, char *errbuf)
{
    const char *kind;
    char value[64];
    int rc = admin_binding_value(what, &kind, value, sizeof value, errbuf);
    if (rc != 0)
        return rc;
    if (end_ms && end_ms <= start_ms) {
        snprintf(errbuf, ERR_BUF_LEN, "the binding must end after it starts");
        return ERR_MALFORMED;
    }
    return store_binding_add(s, account, kind, value, start_ms, end_ms, source, NULL, errbuf);
}

int admin_unbind(struct store *s, const char *what, uint64_t at_ms, int *n_ended, char *errbuf)
{
    const char *kind;
    char value[64];
    int rc = admin_binding_value(what, &kind, value, sizeof value, errbuf);
    if (rc != 0)
        return rc;
    rc = store_binding_end(s, value, NULL, at_ms, n_ended);
    if (rc == 0 && *n_ended == 0) {
        snprintf(errbuf, ERR_BUF_LEN, "no open binding of %s", value);
        return ERR_NOT_FOUND;
    }
    return rc;
}

struct lease_import {
    struct store *s;
    const char *path;
    bool lenient;
    uint64_t n_leases, n_skipped;
    int rc;
    char *errbuf;
};

static void put_lease(void *ctx, const struct lease *l)
{
    struct lease_import *li = ctx;
    if (li->rc != 0)
        return;
    if (!l->has_mac || l->start_ms == 0) {
        li->n_skipped++; /* nothing ties it to a registration */
        return;
    }
    struct lease_row row = {.start_ms = l->start_ms, .end_ms = l->end_ms};
    char buf[ADDR_STR_LEN + 4];
    if (l->prefix_len < 128)
        snprintf(row.ip, sizeof row.ip, "%s", prefix_format(&l->ip, l->prefix_len, buf));
    else
        snprintf(row.ip, sizeof row.ip, "%s", addr_format(&l->ip, buf));
    units_format_mac(l->mac, row.mac);
    li->rc = store_lease_put(li->s, &row);
    if (li->rc == 0)
        li->n_leases++;
}

static int import_tx(struct store *s, void *ctx)
{
    struct lease_import *li = ctx;
    struct lease_counters c = {0};
    (void)s;
    int rc = leases_parse_file(li->path, li->lenient, put_lease, li, &c, li->errbuf);
    li->n_skipped += c.skipped;
    return rc != 0 ? rc : li->rc;
}

int admin_import_leases(struct store *s, const char *path, bool lenient, uint64_t *n_leases,
                        uint64_t *n_skipped, char *errbuf)
{
    struct lease_import li = {.s = s, .path = path, .lenient = lenient, .errbuf = errbuf};
    errbuf[0] = '\0';
    int rc = store_admin_batch(s, import_tx, &li);
    if (rc != 0 && errbuf[0] == '\0')
        snprintf(errbuf, ERR_BUF_LEN, "%s: could not store the leases", path);
    *n_leases = rc == 0 ? li.n_leases : 0;
    *n_skipped = li.n_skipped;
    return rc;
}
