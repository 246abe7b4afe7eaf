// SPDX-License-Identifier: MIT
// The JSON twins of the usage pages: the same read (report_quota) and the same writer
// (report_print_quota) as `flowtally usage ACCOUNT --format json`, so the API and the CLI
// print the same document for the same moment; and the list of bills, their numbers, times
// and money written as `flowtally bill export` writes them (billing/export.h, base/units.h).
// A customer may name only their own account; any other answers 404, as an account that
// does not exist does.
#include "../base/err.h"
#include "../base/json.h"
#include "../base/units.h"
#include "../billing/export.h"
#include "../report/report.h"
#include "app.h"
#include "invoices.h"

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
