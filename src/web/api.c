// SPDX-License-Identifier: MIT
// The JSON twins of the usage pages: the same read (report_quota) and the same writer
// (report_print_quota) as `flowtally usage ACCOUNT --format json`, so the API and the CLI
// print the same document for the same moment. A customer may name only their own
// account; any other answers 404, as an account that does not exist does.
#include "../base/err.h"
#include "../report/report.h"
#include "app.h"

#include <string.h>

static void usage_json(struct web_ctx *c, const char *account)
{
    char errbuf[ERR_BUF_LEN];
    struct quota_usage u;
    int rc = report_quota(c->store, account, c->now_ms, form_get(&c->query, "cycle"), &u, errbuf);
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
