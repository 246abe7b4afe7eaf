// SPDX-License-Identifier: MIT
// The password reset mail: see resetmail.h. The link is the one value here that comes from
// outside the templates; the portal makes it from web_url (checked by config/: no quotes,
// brackets or blanks) and a token of base64url characters, so it is safe in the text part
// as it is and, escaped like every value, in the HTML part's href.
#include "resetmail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct reset_values {
    const char *login, *operator_name, *link;
    char valid[32];
};

static void reset_lookup(const void *ctx, const char *name, struct template_value *v)
{
    const struct reset_values *r = ctx;
    if (strcmp(name, "login") == 0)
        template_set_str(v, r->login);
    else if (strcmp(name, "operator") == 0)
        template_set_str(v, r->operator_name);
    else if (strcmp(name, "link") == 0)
        template_set_str(v, r->link);
    else if (strcmp(name, "valid") == 0)
        template_set_str(v, r->valid);
}

void resetmail_duration(uint64_t valid_s, char *buf, size_t size)
{
    uint64_t n = valid_s;
    const char *unit = "second";
    if (valid_s >= 3600 && valid_s % 3600 == 0) {
        n = valid_s / 3600;
        unit = "hour";
    } else if (valid_s >= 60 && valid_s % 60 == 0) {
        n = valid_s / 60;
        unit = "minute";
    }
    snprintf(buf, size, "%llu %s%s", (unsigned long long)n, unit, n == 1 ? "" : "s");
}

int resetmail_build(const struct message_texts *t, const struct message_from *from, const char *to,
                    const char *login, int64_t user_id, const char *link, uint64_t valid_s,
                    uint64_t now_ms, struct mail_row *m, char **body, char *errbuf)
{
    struct reset_values r = {.login = login, .operator_name = from->name, .link = link};
    resetmail_duration(valid_s, r.valid, sizeof r.valid);
    char *subject = message_render(t->subject, reset_lookup, &r, false);
    char *text = message_render(t->text, reset_lookup, &r, false);
    char *html = t->html ? message_render(t->html, reset_lookup, &r, true) : NULL;
    char event[128];
    snprintf(event, sizeof event, "reset:%lld:%llu", (long long)user_id,
             (unsigned long long)now_ms);
    int rc = message_build(from, to, subject, text, html, "reset", event, now_ms, m, body, errbuf);
    free(subject);
    free(text);
    free(html);
    return rc;
}
