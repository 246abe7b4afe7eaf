// SPDX-License-Identifier: MIT
// The customer's pages: this cycle (usage_page.c), past cycles with their bills
// (invoices.c), devices and registering the one in hand, and their own alert levels. Every
// page reads the account of the session, never one named by the request, so a customer
// cannot ask for another's.
#include "../admin/admin.h"
#include "../base/err.h"
#include "../base/units.h"
#include "../billing/levels.h"
#include "../bind/neigh.h"
#include "../report/report.h"
#include "invoices.h"
#include "page.h"
#include "usage_page.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define LOG_TAG "web"
#include "../base/log.h"

#define PAST_CYCLES 12
#define ALERT_LEVELS_MAX 4

static const char *own_account(struct web_ctx *c)
{
    return c->session.user.account;
}

/* The usage page of the session's account; a customer login without one sees a note. */
static void own_usage(struct web_ctx *c, const char *cycle)
{
    if (!own_account(c)[0]) {
        web_error(c, 404, "This login has no account to show; ask the staff");
        return;
    }
    int rc = usage_page(c, own_account(c), cycle, false);
    if (rc == ERR_NOT_FOUND)
        web_error(c, 404, "This login has no account to show; ask the staff");
    else if (rc != 0)
        web_store_failed(c, "usage page");
}

void page_home(struct web_ctx *c)
{
    if (c->role == ROLE_ANON)
        web_redirect(c, "/login");
    else if (c->role & ROLE_STAFFS)
        web_redirect(c, "/staff");
    else
        own_usage(c, NULL);
}

void page_usage(struct web_ctx *c)
{
    own_usage(c, form_get(&c->query, "cycle"));
}

void page_cycles(struct web_ctx *c)
{
    char errbuf[ERR_BUF_LEN];
    struct quota_usage now;
    int rc = report_quota(c->store, own_account(c), c->now_ms, NULL, &now, errbuf);
    if (rc != 0) {
        own_usage(c, NULL); /* says why, as the home page would */
        return;
    }
    page_begin(c, "Past cycles");
    fputs("<section><table><thead><tr><th scope=\"col\">Cycle</th><th scope=\"col\" "
          "class=\"n\">Used</th><th scope=\"col\" class=\"n\">Quota</th><th scope=\"col\" "
          "class=\"n\">Used of quota</th></tr></thead><tbody>\n",
          c->out);
    int year = now.cycle.year, month = now.cycle.month;
    for (int i = 0; i < PAST_CYCLES; i++) {
        if (--month == 0) {
            month = 12;
            year--;
        }
        char cycle[32], a[32], b[32], from[16];
        snprintf(cycle, sizeof cycle, "%04d-%02d", year, month);
        struct quota_usage u;
        if (report_quota(c->store, own_account(c), c->now_ms, cycle, &u, errbuf) != 0) {
            page_discard(c);
            web_store_failed(c, "past cycles");
            return;
        }
        uint64_t pct = quota_percent_x100(&u);
        fprintf(c->out, "<tr><th scope=\"row\"><a href=\"/usage?cycle=%s\">%s</a></th>", cycle,
                page_day(u.cycle.start_ms, from));
        fprintf(c->out, "<td class=\"n\" data-bytes=\"%llu\">%s</td>",
                (unsigned long long)u.used_bytes, report_human_bytes(u.used_bytes, a));
        if (u.plan.unlimited)
            fputs("<td class=\"n\">Unlimited</td><td></td></tr>\n", c->out);
        else
            fprintf(c->out, "<td class=\"n\">%s</td><td class=\"n\">%llu.%02llu%%</td></tr>\n",
                    report_human_bytes(u.plan.quota_bytes, b), (unsigned long long)(pct / 100),
                    (unsigned long long)(pct % 100));
    }
    fputs("</tbody></table></section>\n", c->out);
    /* every document of the subscriber's, not only these cycles': a bill stays reachable */
    if (invoices_section(c, now.sub.id, NULL, INVOICES_COL_CYCLE) != 0) {
        page_discard(c);
        web_store_failed(c, "past cycles");
        return;
    }
    page_end(c);
    web_html(c, 200);
}

/* ---- alert levels ---- */

void usage_page_alerts(struct web_ctx *c, const struct subscriber *sub)
{
    fputs("<section><h2>Alerts</h2>\n<form method=\"post\" action=\"/alerts\">", c->out);
    page_csrf_field(c);
    fputs("\n<label for=\"levels\">Email me when I have used (percent of my quota, or an "
          "amount such as 10GB; comma-separated, empty for the plan's levels)</label>\n"
          "<input type=\"text\" id=\"levels\" name=\"levels\" inputmode=\"text\" value=\"",
          c->out);
    page_attr(c, sub->alert_levels);
    fputs("\">\n<button>Save alert levels</button>\n</form></section>\n", c->out);
}

/* Normalises "50, 90%,10gb" to "50,90,10000000000B": up to ALERT_LEVELS_MAX levels, each
 * read as the alerts read them (billing/levels.h). Returns 0 or ERR_MALFORMED with errbuf. */
static int alert_levels_normalise(const char *in, char *out, size_t size, char *errbuf)
{
    struct levels ls;
    char why[ERR_BUF_LEN];
    if (levels_parse(in, &ls, why) != 0) {
        snprintf(errbuf, ERR_BUF_LEN,
                 "Expected a percentage from 1 to 1000 or an amount such as 10GB.");
        return ERR_MALFORMED;
    }
    if (ls.n > ALERT_LEVELS_MAX) {
        snprintf(errbuf, ERR_BUF_LEN, "At most %d levels.", ALERT_LEVELS_MAX);
        return ERR_MALFORMED;
    }
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < ls.n; i++) {
        const struct level *l = &ls.l[i];
        int w = snprintf(out + len, size - len, "%s%llu%s", i ? "," : "",
                         (unsigned long long)(l->is_percent ? l->percent : l->bytes),
                         l->is_percent ? "" : "B");
        if (w < 0 || (size_t)w >= size - len) {
            snprintf(errbuf, ERR_BUF_LEN, "Too long.");
            return ERR_MALFORMED;
        }
        len += (size_t)w;
    }
    return 0;
}

void page_alerts_post(struct web_ctx *c)
{
    const char *levels = form_get(&c->post, "levels");
    struct subscriber sub;
    char errbuf[ERR_BUF_LEN], norm[sizeof sub.alert_levels];
    if (!levels || alert_levels_normalise(levels, norm, sizeof norm, errbuf) != 0) {
        web_error(c, 400, levels ? errbuf : "Expected alert levels.");
        return;
    }
    int rc = store_subscriber_get(c->store, own_account(c), &sub);
    if (rc == 0) {
        snprintf(sub.alert_levels, sizeof sub.alert_levels, "%s", norm);
        rc = store_subscriber_save(c->store, &sub, false, errbuf);
    }
    if (rc == ERR_NOT_FOUND) {
        web_not_found(c);
        return;
    }
    if (rc != 0) {
        web_store_failed(c, "alert levels");
        return;
    }
    log_info("%s set alert levels to '%s'", c->session.user.login, norm);
    web_redirect(c, "/");
}

/* ---- devices ---- */

struct device_list {
    struct web_ctx *c;
    size_t n_open;
};

static void device_row(void *ctx, const struct binding_row *b)
{
    struct device_list *d = ctx;
    if (strcmp(b->kind, "mac") != 0 || b->end_ms)
        return;
    char since[16];
    d->n_open++;
    fputs("<tr><td>", d->c->out);
    page_text(d->c, b->value);
    fprintf(d->c->out, "</td><td>%s</td><td>", page_day(b->start_ms, since));
    page_text(d->c, b->source);
    fputs("</td></tr>\n", d->c->out);
}

/* The MAC of the device making the request: from its lease, or else from the neighbour
 * table of the box the portal runs on (arp_table). Returns 0 or ERR_NOT_FOUND. */
static int this_device(struct web_ctx *c, char *mac, size_t size)
{
    struct lease_row l;
    char arp_mac[18];
    int rc = c->store->ops->lease_at(c->store, c->client_text, c->now_ms, &l);
    if (rc == 0) {
        snprintf(mac, size, "%s", l.mac);
    } else if (addr_is_v4(&c->client) && c->opt->arp_table && c->opt->arp_table[0] &&
               neigh_lookup(c->opt->arp_table, c->client_text, arp_mac) == 0) {
        snprintf(mac, size, "%s", arp_mac);
        rc = 0;
    }
    return rc;
}

static void note_holder(void *ctx, int64_t subscriber_id, uint64_t start_ms)
{
    (void)start_ms;
    *(int64_t *)ctx = subscriber_id;
}

/* Who holds the MAC open: a subscriber id, or -1 for nobody (or a negative code). */
static int64_t holder_of(struct store *s, const char *mac)
{
    int64_t holder = -1;
    int rc = s->ops->binding_open_of(s, mac, note_holder, &holder);
    return rc != 0 ? rc : holder;
}

void usage_page_device_prompt(struct web_ctx *c)
{
    char lease_mac[32], mac[32], errbuf[ERR_BUF_LEN];
    const char *kind;
    if (this_device(c, lease_mac, sizeof lease_mac) != 0 ||
        admin_binding_value(lease_mac, &kind, mac, sizeof mac, errbuf) != 0 ||
        holder_of(c->store, mac) != -1)
        return;
    fputs("<section class=\"prompt\" role=\"region\" aria-label=\"This device\">\n"
          "<h2>This device is not registered</h2>\n<p>Its MAC address is ",
          c->out);
    page_text(c, mac);
    fputs(". Register it to your account so that its traffic counts as yours.</p>\n"
          "<form method=\"post\" action=\"/devices\">",
          c->out);
    page_csrf_field(c);
    fputs("<button>Register this device</button></form></section>\n", c->out);
}

static size_t open_devices(struct web_ctx *c)
{
    struct device_list d = {.c = c};
    FILE *keep = c->out;
    c->out = fopen("/dev/null", "w");
    store_binding_list(c->store, own_account(c), device_row, &d);
    fclose(c->out);
    c->out = keep;
    return d.n_open;
}

static void devices_page(struct web_ctx *c, int status, const char *message)
{
    page_begin(c, "Devices");
    if (message) {
        fputs("<p class=\"ok\" role=\"status\">", c->out);
        page_text(c, message);
        fputs("</p>\n", c->out);
    }
    fputs("<section><h2>Registered devices</h2>\n<table><thead><tr><th scope=\"col\">MAC "
          "address</th><th scope=\"col\">Since</th><th scope=\"col\">How</th></tr></thead>"
          "<tbody>\n",
          c->out);
    struct device_list d = {.c = c};
    if (store_binding_list(c->store, own_account(c), device_row, &d) != 0) {
        page_discard(c);
        web_store_failed(c, "devices");
        return;
    }
    fprintf(c->out, "</tbody></table>\n<p>%zu of %u devices registered.</p></section>\n", d.n_open,
            c->opt->device_limit);
    char lease_mac[32], mac[32], errbuf[ERR_BUF_LEN];
    const char *kind;
    struct subscriber sub;
    fputs("<section><h2>This device</h2>\n", c->out);
    if (this_device(c, lease_mac, sizeof lease_mac) != 0 ||
        admin_binding_value(lease_mac, &kind, mac, sizeof mac, errbuf) != 0) {
        fputs("<p>This device has no address lease from the network, so it cannot be "
              "registered from here.</p>",
              c->out);
    } else {
        int64_t holder = holder_of(c->store, mac);
        bool mine = holder >= 0 && store_subscriber_get(c->store, own_account(c), &sub) == 0 &&
                    sub.id == holder;
        fputs("<p>MAC address ", c->out);
        page_text(c, mac);
        if (mine) {
            fputs(": registered to you.</p>\n", c->out);
        } else if (holder != -1) {
            fputs(": registered to another account; ask the staff.</p>\n", c->out);
        } else {
            fputs("</p>\n<form method=\"post\" action=\"/devices\">", c->out);
            page_csrf_field(c);
            fputs("<button>Register this device to my account</button></form>\n", c->out);
        }
    }
    fputs("</section>\n", c->out);
    page_end(c);
    web_html(c, status);
}

void page_devices(struct web_ctx *c)
{
    devices_page(c, 200, NULL);
}

struct registration {
    struct web_ctx *c;
    char mac[32];
    int64_t mine; /* the customer's subscriber id */
    char errbuf[ERR_BUF_LEN];
};

/* In one transaction: who holds the MAC, how many the customer has, then the binding. */
static int register_work(struct store *s, void *ctx)
{
    struct registration *r = ctx;
    int64_t holder = holder_of(s, r->mac);
    if (holder < -1)
        return (int)holder;
    if (holder == r->mine)
        return STORE_BINDING_HELD;
    if (holder != -1)
        return ERR_EXISTS; /* a customer never takes a device from another */
    if (open_devices(r->c) >= r->c->opt->device_limit)
        return ERR_LIMIT;
    return admin_bind(s, own_account(r->c), r->mac, r->c->now_ms, 0, "register", r->errbuf);
}

void page_device_register(struct web_ctx *c)
{
    struct registration r = {.c = c};
    char lease_mac[32];
    const char *kind;
    struct subscriber sub;
    if (this_device(c, lease_mac, sizeof lease_mac) != 0 ||
        admin_binding_value(lease_mac, &kind, r.mac, sizeof r.mac, r.errbuf) != 0) {
        web_error(c, 400, "This device has no address lease from the network");
        return;
    }
    int rc = store_subscriber_get(c->store, own_account(c), &sub);
    if (rc == 0) {
        r.mine = sub.id;
        rc = store_transaction(c->store, register_work, &r);
    }
    if (rc == STORE_BINDING_HELD)
        devices_page(c, 200, "This device is registered to you already.");
    else if (rc == ERR_EXISTS)
        web_error(c, 409, "This device is registered to another account; ask the staff");
    else if (rc == ERR_LIMIT)
        web_error(c, 409, "You have registered as many devices as you may; ask the staff");
    else if (rc == ERR_NOT_FOUND)
        web_not_found(c);
    else if (rc != 0)
        web_store_failed(c, "device registration");
    else {
        log_info("%s registered %s", c->session.user.login, r.mac);
        devices_page(c, 200, "This device is now registered to you.");
    }
}
