// SPDX-License-Identifier: MIT
// Filling the message templates: the values are the figures quota.c computes, formatted
// the way every other surface shows them (units_format_bytes), so a message never says
// another number than the portal.
#include "message.h"

#include "../base/err.h"
#include "../base/units.h"
#include "../base/xalloc.h"
#include "../billing/export.h"
#include "mime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- the built-in texts (etc/mail/ holds the same, for operators to copy and edit) ---- */

static const struct {
    const char *file, *text;
} builtins[] = {
    {"alert.subject", "{{#is_percent}}You have used {{level}} of your {{quota}}{{/is_percent}}"
                      "{{^is_percent}}You have used {{level}} this cycle{{/is_percent}}\n"},
    {"alert.txt",
     "Hello {{name}},\n"
     "\n"
     "you have used {{used}}{{#has_quota}} of your {{quota}} ({{percent}}%){{/has_quota}} in\n"
     "the cycle from {{cycle_start}} to {{cycle_end}}.\n"
     "{{#has_quota}}\n"
     "Remaining: {{remaining}}.\n"
     "{{#runs_out}}At the rate so far, the quota runs out on {{runs_out}}.{{/runs_out}}\n"
     "{{/has_quota}}\n"
     "Account: {{account}}\n"
     "\n"
     "{{operator}}\n"},
    {"alert.html",
     "<!DOCTYPE html>\n"
     "<html><body>\n"
     "<p>Hello {{name}},</p>\n"
     "<p>you have used <strong>{{used}}</strong>{{#has_quota}} of your {{quota}}"
     " ({{percent}}%){{/has_quota}} in the cycle from {{cycle_start}} to {{cycle_end}}.</p>\n"
     "{{#has_quota}}<p>Remaining: {{remaining}}.{{#runs_out}} At the rate so far, the quota"
     " runs out on {{runs_out}}.{{/runs_out}}</p>{{/has_quota}}\n"
     "<p>Account: {{account}}</p>\n"
     "<p>{{operator}}</p>\n"
     "</body></html>\n"},
    {"report.subject", "{{operator}}: daily usage report for {{day}}\n"},
    {"invoice.subject", "{{title}} for {{month}}\n"},
    {"invoice.txt",
     "Hello {{name}},\n"
     "\n"
     "{{#is_invoice}}attached is your invoice {{number}}{{/is_invoice}}{{#is_credit}}attached is a "
     "credit note, {{number}},{{/is_credit}}{{#is_debit}}attached is a debit note, "
     "{{number}},{{/is_debit}} for\n"
     "the cycle from {{cycle_start}} to {{cycle_end}}.{{#corrects}} It corrects invoice "
     "{{corrects}}.{{/corrects}}\n"
     "\n"
     "{{#is_credit}}Credited to you: {{amount}}{{/is_credit}}{{^is_credit}}Amount due: "
     "{{amount}}{{/is_credit}}\n"
     "Account: {{account}}\n"
     "\n"
     "{{operator}}\n"},
    {"invoice.html",
     "<!DOCTYPE html>\n"
     "<html><body>\n"
     "<p>Hello {{name}},</p>\n"
     "<p>{{#is_invoice}}attached is your invoice {{number}}{{/is_invoice}}{{#is_credit}}attached "
     "is a credit note, {{number}},{{/is_credit}}{{#is_debit}}attached is a debit note, "
     "{{number}},{{/is_debit}} for the cycle from {{cycle_start}} to {{cycle_end}}.{{#corrects}} "
     "It corrects invoice {{corrects}}.{{/corrects}}</p>\n"
     "<p>{{#is_credit}}Credited to you: {{/is_credit}}{{^is_credit}}Amount due: "
     "{{/is_credit}}<strong>{{amount}}</strong></p>\n"
     "<p>Account: {{account}}</p>\n"
     "<p>{{operator}}</p>\n"
     "</body></html>\n"},
    {"report.txt", "Daily usage report for {{day}} ({{operator}})\n"
                   "\n"
                   "{{&body}}"},
    {"reset.subject", "{{operator}}: set a new password for the portal\n"},
    {"reset.txt", "Hello,\n"
                  "\n"
                  "someone, we hope you, asked to set a new password for {{login}} on the\n"
                  "portal of {{operator}}. To choose one, open this link within {{valid}}:\n"
                  "\n"
                  "{{link}}\n"
                  "\n"
                  "The link works once. If you did not ask for it, ignore this message: your\n"
                  "password stays as it is.\n"
                  "\n"
                  "{{operator}}\n"},
    {"reset.html",
     "<!DOCTYPE html>\n"
     "<html><body>\n"
     "<p>Hello,</p>\n"
     "<p>someone, we hope you, asked to set a new password for {{login}} on the portal of "
     "{{operator}}. To choose one, open this link within {{valid}}:</p>\n"
     "<p><a href=\"{{link}}\">{{link}}</a></p>\n"
     "<p>The link works once. If you did not ask for it, ignore this message: your password "
     "stays as it is.</p>\n"
     "<p>{{operator}}</p>\n"
     "</body></html>\n"},
};

const char *message_builtin(const char *file)
{
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
        if (strcmp(builtins[i].file, file) == 0)
            return builtins[i].text;
    return NULL;
}

/* Reads dir/file, or the built-in text; NULL (not an error) when neither exists. */
static char *read_text(const char *dir, const char *file, char *origin, size_t *len, char *errbuf,
                       int *rc)
{
    *rc = 0;
    if (!dir || !dir[0]) {
        const char *b = message_builtin(file);
        snprintf(origin, 512, "built-in %s", file);
        *len = b ? strlen(b) : 0;
        return b ? xstrdup(b) : NULL;
    }
    snprintf(origin, 512, "%s/%s", dir, file);
    FILE *f = fopen(origin, "rb");
    if (!f)
        return NULL;
    char *text = xmalloc(TEMPLATE_MAX_BYTES + 1);
    *len = fread(text, 1, TEMPLATE_MAX_BYTES + 1, f);
    bool bad = ferror(f);
    fclose(f);
    if (bad || *len > TEMPLATE_MAX_BYTES) {
        snprintf(errbuf, ERR_BUF_LEN, "%s: %s", origin,
                 bad ? "cannot read it" : "longer than a template may be (1 MiB)");
        free(text);
        *rc = ERR_CONFIG;
        return NULL;
    }
    text[*len] = '\0';
    return text;
}

static int load_one(const char *dir, const char *file, bool required, struct template **out,
                    char *errbuf)
{
    char origin[512];
    size_t len = 0;
    int rc;
    char *text = read_text(dir, file, origin, &len, errbuf, &rc);
    *out = NULL;
    if (rc != 0)
        return rc;
    if (!text) {
        if (!required)
            return 0;
        snprintf(errbuf, ERR_BUF_LEN, "%s: no such file (a mail template)", origin);
        return ERR_CONFIG;
    }
    *out = template_parse(text, len, origin, errbuf);
    free(text);
    return *out ? 0 : ERR_CONFIG;
}

int message_texts_load(enum message_kind kind, const char *dir, struct message_texts *out,
                       char *errbuf)
{
    memset(out, 0, sizeof *out);
    const char *k = kind == MESSAGE_ALERT    ? "alert"
                    : kind == MESSAGE_REPORT ? "report"
                    : kind == MESSAGE_RESET  ? "reset"
                                             : "invoice";
    char subject[32], text[32], html[32];
    snprintf(subject, sizeof subject, "%s.subject", k);
    snprintf(text, sizeof text, "%s.txt", k);
    snprintf(html, sizeof html, "%s.html", k);
    int rc = load_one(dir, subject, true, &out->subject, errbuf);
    if (rc == 0)
        rc = load_one(dir, text, true, &out->text, errbuf);
    if (rc == 0)
        rc = load_one(dir, html, false, &out->html, errbuf);
    if (rc != 0)
        message_texts_free(out);
    return rc;
}

void message_texts_free(struct message_texts *t)
{
    template_free(t->subject);
    template_free(t->text);
    template_free(t->html);
    memset(t, 0, sizeof *t);
}

char *message_render(const struct template *t, template_lookup_fn *lookup, const void *ctx,
                     bool html)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return xstrdup("");
    template_render(t, lookup, ctx, html ? 0 : TEMPLATE_PLAIN, f, NULL);
    fclose(f);
    return buf ? buf : xstrdup("");
}

/* ---- an alert's figures ---- */

struct alert_values {
    const struct quota_usage *u;
    const struct level *l;
    const char *operator_name;
    char used[32], quota[32], remaining[32], percent[32], level[32];
    char cycle_start[16], cycle_end[16], runs_out[16];
};

/* A size as a person reads it in a sentence: "15 GB" rather than "15.0 GB". */
static void size_text(uint64_t bytes, char *buf)
{
    units_format_bytes(bytes, buf);
    char *dot = strstr(buf, ".0 ");
    if (dot)
        memmove(dot, dot + 2, strlen(dot + 2) + 1);
}

static void local_date(uint64_t ms, char *buf)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(buf, 16, "%Y-%m-%d", &tm);
}

static void alert_lookup(const void *ctx, const char *name, struct template_value *v)
{
    const struct alert_values *a = ctx;
    const struct quota_usage *u = a->u;
    bool has_quota = !u->plan.unlimited && u->plan.quota_bytes > 0;
    if (strcmp(name, "name") == 0)
        template_set_str(v, u->sub.name[0] ? u->sub.name : u->sub.account);
    else if (strcmp(name, "account") == 0)
        template_set_str(v, u->sub.account);
    else if (strcmp(name, "operator") == 0)
        template_set_str(v, a->operator_name);
    else if (strcmp(name, "level") == 0)
        template_set_str(v, a->level);
    else if (strcmp(name, "is_percent") == 0)
        template_set_bool(v, a->l->is_percent);
    else if (strcmp(name, "has_quota") == 0)
        template_set_bool(v, has_quota);
    else if (strcmp(name, "used") == 0)
        template_set_str(v, a->used);
    else if (strcmp(name, "quota") == 0)
        template_set_str(v, has_quota ? a->quota : "");
    else if (strcmp(name, "remaining") == 0)
        template_set_str(v, has_quota ? a->remaining : "");
    else if (strcmp(name, "percent") == 0)
        template_set_str(v, has_quota ? a->percent : "");
    else if (strcmp(name, "cycle_start") == 0)
        template_set_str(v, a->cycle_start);
    else if (strcmp(name, "cycle_end") == 0)
        template_set_str(v, a->cycle_end);
    else if (strcmp(name, "runs_out") == 0)
        template_set_str(v, a->runs_out);
}

/* When the quota runs out at the rate so far: start + quota * elapsed / used, if that is
 * before the cycle's end; "" otherwise (or when it has already). */
static void runs_out(const struct quota_usage *u, char *buf)
{
    buf[0] = '\0';
    uint64_t start = u->cycle.start_ms, at = u->at_ms;
    if (u->plan.unlimited || u->used_bytes == 0 || at <= start ||
        u->used_bytes >= u->plan.quota_bytes)
        return;
    unsigned __int128 t =
        (unsigned __int128)u->plan.quota_bytes * (at - start) / u->used_bytes + start;
    if (t < u->cycle.end_ms)
        local_date((uint64_t)t, buf);
}

int message_build(const struct message_from *from, const char *to, const char *subject,
                  const char *text, const char *html, const char *kind, const char *event,
                  uint64_t now_ms, struct mail_row *m, char **body, char *errbuf)
{
    return message_build_files(from, to, subject, text, html, NULL, 0, kind, event, now_ms, m, body,
                               errbuf);
}

int message_build_files(const struct message_from *from, const char *to, const char *subject,
                        const char *text, const char *html, const struct mime_attachment *files,
                        size_t n_files, const char *kind, const char *event, uint64_t now_ms,
                        struct mail_row *m, char **body, char *errbuf)
{
    memset(m, 0, sizeof *m);
    *body = NULL;
    snprintf(m->kind, sizeof m->kind, "%s", kind);
    snprintf(m->event, sizeof m->event, "%s", event);
    snprintf(m->to_addr, sizeof m->to_addr, "%s", to);
    /* the subject is one line: the template's first */
    snprintf(m->subject, sizeof m->subject, "%.*s", (int)strcspn(subject, "\r\n"), subject);
    int rc = mime_message_id(from->domain, now_ms, m->message_id);
    if (rc != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "cannot make a Message-ID");
        return rc;
    }
    struct mime_message mm = {.from_name = from->name,
                              .from_addr = from->addr,
                              .to_name = "",
                              .to_addr = to,
                              .subject = m->subject,
                              .text = text,
                              .html = html,
                              .message_id = m->message_id,
                              .date_ms = now_ms,
                              .boundary_seed = event,
                              .attachments = files,
                              .n_attachments = n_files};
    size_t len;
    rc = mime_build(&mm, body, &len, errbuf);
    if (rc != 0)
        return rc;
    m->body = *body;
    m->created_ms = now_ms;
    m->next_try_ms = now_ms;
    snprintf(m->state, sizeof m->state, "queued");
    return 0;
}

int message_alert(const struct message_texts *t, const struct message_from *from,
                  const struct quota_usage *u, const struct level *l, uint64_t now_ms,
                  struct mail_row *m, char **body, char *errbuf)
{
    struct alert_values a = {.u = u, .l = l, .operator_name = from->name};
    size_text(u->used_bytes, a.used);
    size_text(u->plan.quota_bytes, a.quota);
    size_text(quota_remaining(u), a.remaining);
    uint64_t pct = quota_percent_x100(u);
    snprintf(a.percent, sizeof a.percent, "%llu.%02llu", (unsigned long long)(pct / 100),
             (unsigned long long)(pct % 100));
    if (l->is_percent)
        snprintf(a.level, sizeof a.level, "%s", l->name);
    else
        size_text(l->bytes, a.level);
    local_date(u->cycle.start_ms, a.cycle_start);
    local_date(u->cycle.end_ms - 1, a.cycle_end);
    runs_out(u, a.runs_out);
    char *subject = message_render(t->subject, alert_lookup, &a, false);
    char *text = message_render(t->text, alert_lookup, &a, false);
    char *html = t->html ? message_render(t->html, alert_lookup, &a, true) : NULL;
    char event[128];
    /* the firing's moment too: a level re-armed (a top-up) may fire again in the cycle, and
     * its second message is another event; the store keeps one firing at a time */
    snprintf(event, sizeof event, "alert:%lld:%llu:%s:%llu", (long long)u->sub.id,
             (unsigned long long)u->cycle.start_ms, l->name, (unsigned long long)now_ms);
    int rc = message_build(from, u->sub.email, subject, text, html, "alert", event, now_ms, m, body,
                           errbuf);
    free(subject);
    free(text);
    free(html);
    return rc;
}

/* ---- a document's figures ---- */

struct invoice_values {
    const struct invoice_row *inv;
    const char *operator_name;
    char number[32], title[48], month[24], amount[48], corrects[32];
    char cycle_start[16], cycle_end[16];
};

static void invoice_lookup(const void *ctx, const char *name, struct template_value *v)
{
    const struct invoice_values *a = ctx;
    const struct invoice_row *inv = a->inv;
    if (strcmp(name, "name") == 0)
        template_set_str(v, inv->name[0] ? inv->name : inv->account);
    else if (strcmp(name, "account") == 0)
        template_set_str(v, inv->account);
    else if (strcmp(name, "operator") == 0)
        template_set_str(v, a->operator_name);
    else if (strcmp(name, "title") == 0)
        template_set_str(v, a->title);
    else if (strcmp(name, "number") == 0)
        template_set_str(v, a->number);
    else if (strcmp(name, "month") == 0)
        template_set_str(v, a->month);
    else if (strcmp(name, "amount") == 0)
        template_set_str(v, a->amount);
    else if (strcmp(name, "corrects") == 0)
        template_set_str(v, a->corrects);
    else if (strcmp(name, "cycle_start") == 0)
        template_set_str(v, a->cycle_start);
    else if (strcmp(name, "cycle_end") == 0)
        template_set_str(v, a->cycle_end);
    else if (strcmp(name, "is_invoice") == 0)
        template_set_bool(v, strcmp(inv->kind, "invoice") == 0);
    else if (strcmp(name, "is_credit") == 0)
        template_set_bool(v, strcmp(inv->kind, "credit") == 0);
    else if (strcmp(name, "is_debit") == 0)
        template_set_bool(v, strcmp(inv->kind, "debit") == 0);
}

/* "2026-03" as "March 2026": English month names whatever the locale, as every other
 * text flowtally writes. */
static void month_text(const char *cycle, char *buf, size_t len)
{
    static const char *const months[12] = {"January",   "February", "March",    "April",
                                           "May",       "June",     "July",     "August",
                                           "September", "October",  "November", "December"};
    int y = 0, m = 0;
    if (sscanf(cycle, "%4d-%2d", &y, &m) == 2 && m >= 1 && m <= 12)
        snprintf(buf, len, "%s %d", months[m - 1], y);
    else
        snprintf(buf, len, "%s", cycle);
}

int message_invoice(const struct message_texts *t, const struct message_from *from,
                    const struct invoice_row *inv, int64_t corrects, const char *to,
                    const void *pdf, size_t pdf_len, uint64_t now_ms, struct mail_row *m,
                    char **body, char *errbuf)
{
    struct invoice_values a = {.inv = inv, .operator_name = from->name};
    bool is_credit = strcmp(inv->kind, "credit") == 0, is_debit = strcmp(inv->kind, "debit") == 0;
    export_number(inv, a.number);
    snprintf(a.title, sizeof a.title, "%s %s",
             is_credit  ? "Credit note"
             : is_debit ? "Debit note"
                        : "Invoice",
             a.number);
    month_text(inv->cycle, a.month, sizeof a.month);
    char cents[32];
    int64_t amount = is_credit && inv->total_cents < 0 ? -inv->total_cents : inv->total_cents;
    snprintf(a.amount, sizeof a.amount, "%s %s", units_format_cents(amount, cents), inv->currency);
    if (corrects > 0)
        snprintf(a.corrects, sizeof a.corrects, "%lld", (long long)corrects);
    local_date(inv->cycle_start_ms, a.cycle_start);
    local_date(inv->cycle_end_ms - 1, a.cycle_end);
    char filename[64], event[64];
    snprintf(filename, sizeof filename, "%s-%s.pdf",
             is_credit  ? "credit-note"
             : is_debit ? "debit-note"
                        : "invoice",
             a.number);
    snprintf(event, sizeof event, "invoice:%s", a.number);
    struct mime_attachment file = {
        .filename = filename, .content_type = "application/pdf", .data = pdf, .len = pdf_len};
    char *subject = message_render(t->subject, invoice_lookup, &a, false);
    char *text = message_render(t->text, invoice_lookup, &a, false);
    char *html = t->html ? message_render(t->html, invoice_lookup, &a, true) : NULL;
    int rc = message_build_files(from, to, subject, text, html, pdf ? &file : NULL, pdf ? 1 : 0,
                                 "invoice", event, now_ms, m, body, errbuf);
    free(subject);
    free(text);
    free(html);
    return rc;
}
