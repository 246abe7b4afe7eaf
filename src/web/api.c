// SPDX-License-Identifier: MIT
// The JSON twins of the usage pages: the same read (report_quota) and the same writer
// (report_print_quota) as `flowtally usage ACCOUNT --format json`, so the API and the CLI
// print the same document for the same moment; and the list of bills, their numbers, times
// and money written as `flowtally bill export` writes them (billing/export.h, base/units.h).
// A customer may name only their own account; any other answers 404, as an account that
// does not exist does. And /metrics, the collector's figures for Prometheus (report/metrics.h).
#include "../base/err.h"
#include "../base/json.h"
#include "../base/units.h"
#include "../billing/export.h"
#include "../report/metrics.h"
#include "../report/report.h"
#include "app.h"
#include "invoices.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage_json(struct web_ctx *c, const char *account)
{
    char errbuf[ERR_BUF_LEN];
    struct quota_usage u;
    bool snapshot = c->store->ops->read_begin(c->store) == 0; /* as usage_page() */
    int rc = report_quota(c->store, account, c->now_ms, form_get(&c->query, "cycle"), &u, errbuf);
    if (snapshot)
        c->store->ops->read_end(c->store);
    if (rc == ERR_NOT_FOUND)
        web_not_found(c);
    else if (rc == ERR_MALFORMED)
        web_error(c, 400, "Expected a cycle as YYYY-MM");
    else if (rc != 0)
        web_store_failed(c, "usage API");
    else {
        report_print_quota(&u, REPORT_JSON, c->out);
        web_json(c, 200);
    }
}

void api_usage(struct web_ctx *c)
{
    if (c->role != ROLE_CUSTOMER || !c->session.user.account[0]) {
        web_not_found(c); /* staff have no usage of their own */
        return;
    }
    usage_json(c, c->session.user.account);
}

void api_subscriber_usage(struct web_ctx *c)
{
    if (c->role == ROLE_CUSTOMER && strcmp(c->tail, c->session.user.account) != 0) {
        web_not_found(c);
        return;
    }
    usage_json(c, c->tail);
}

/* GET /api/v1/invoices[?account=ACCOUNT][&cycle=YYYY-MM]: the documents issued, in the
 * order issued; a customer's own subscriber's only, staff anyone's (all without account). */
void api_invoices(struct web_ctx *c)
{
    const char *account = form_get(&c->query, "account"), *cycle = form_get(&c->query, "cycle");
    if (cycle && !invoices_cycle_ok(cycle)) {
        web_error(c, 400, "Expected a cycle as YYYY-MM");
        return;
    }
    if (!(c->role & ROLE_STAFFS)) {
        const char *own = c->session.user.account;
        if (!own[0] || (account && strcmp(account, own) != 0)) {
            web_not_found(c);
            return;
        }
        account = own;
    }
    struct subscriber sub = {.id = -1};
    int rc = account ? store_subscriber_get(c->store, account, &sub) : 0;
    struct invoice_docs d = {0};
    if (rc == 0)
        rc = invoices_read(c->store, sub.id, cycle, &d);
    if (rc != 0) {
        invoices_free(&d);
        if (rc == ERR_NOT_FOUND)
            web_not_found(c);
        else
            web_store_failed(c, "invoices API");
        return;
    }
    struct json j;
    json_init(&j, c->out);
    json_rows_begin(&j);
    for (size_t i = 0; i < d.n; i++) {
        const struct invoice_row *inv = &d.rows[i];
        char num[32], ref[32], start[32], end[32], issued[32], sub_c[32], tax[32], total[32];
        json_object_begin(&j);
        json_member_str(&j, "number", export_number(inv, num));
        json_member_str(&j, "kind", inv->kind);
        json_member_str(&j, "refers_to", invoices_number_of(&d, inv->refers_to, ref));
        json_member_str(&j, "subscriber", inv->account);
        json_member_str(&j, "cycle", inv->cycle);
        json_member_str(&j, "cycle_start", export_time(inv->cycle_start_ms, start));
        json_member_str(&j, "cycle_end", export_time(inv->cycle_end_ms, end));
        json_member_str(&j, "subtotal", units_format_cents(inv->subtotal_cents, sub_c));
        json_member_str(&j, "tax", units_format_cents(inv->tax_cents, tax));
        json_member_str(&j, "total", units_format_cents(inv->total_cents, total));
        json_member_str(&j, "currency", inv->currency);
        json_member_str(&j, "issued", export_time(inv->issued_ms, issued));
        json_object_end(&j);
    }
    json_array_end(&j);
    fputc('\n', c->out);
    invoices_free(&d);
    web_json(c, 200);
}

/* Prometheus's scrape: only for the clients metrics_allow lists (the TCP peer, or behind
 * trusted proxies the client they name), whoever is logged in; anyone else gets the 404 of
 * a page that does not exist. The collector's figures, not a customer's. */
void api_metrics(struct web_ctx *c)
{
    uint32_t unused;
    if (!c->opt->metrics_allow || !prefix_trie_lookup(c->opt->metrics_allow, &c->client, &unused)) {
        web_not_found(c);
        return;
    }
    char errbuf[ERR_BUF_LEN], *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len); /* a failure half-way sends nothing of it */
    int rc = mem ? metrics_write(c->store, c->now_ms, mem, errbuf) : ERR_STORE;
    if (mem)
        fclose(mem);
    if (rc != 0) {
        free(text);
        web_store_failed(c, "metrics");
        return;
    }
    fwrite(text, 1, len, c->out);
    free(text);
    web_response_header(c->rs, "Cache-Control", "no-store");
    web_answer(c, 200, "text/plain; version=0.0.4; charset=utf-8");
}
