// SPDX-License-Identifier: MIT
// `flowtally alerts` and `flowtally mail`: the alert log and the outgoing mail queue, as the
// store holds them (the daemon's alert thread fills and sends them).
#include "../base/csv.h"
#include "../base/json.h"
#include "../billing/export.h"
#include "../store/store.h"
#include "args.h"
#include "cli.h"

#include <stdio.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

struct printer {
    enum report_format f;
};

static void alerts_help(FILE *out)
{
    fprintf(out, "usage: flowtally alerts list [--account ACCOUNT] [--cycle YYYY-MM]\n"
                 "                             [--format table|csv|json] [--db PATH]\n"
                 "The alert log: each level a subscriber crossed in a cycle, when, and with\n"
                 "what usage (quota 0: unlimited). CSV columns: account,cycle,level,used_bytes,\n"
                 "quota_bytes,fired,mail_id.\n");
}

static void print_alert(void *ctx, const struct alert_row *a)
{
    struct printer *p = ctx;
    char fired[32];
    export_time(a->fired_ms, fired);
    const char *account = a->account[0] ? a->account : "(removed)";
    if (p->f == REPORT_CSV) {
        struct csv c;
        csv_init(&c, stdout);
        csv_text(&c, account);
        csv_text(&c, a->cycle);
        csv_text(&c, a->level);
        csv_u64(&c, a->used_bytes);
        csv_u64(&c, a->quota_bytes);
        csv_text(&c, fired);
        csv_u64(&c, (uint64_t)a->mail_id);
        csv_end_row(&c);
    } else if (p->f == REPORT_JSON) {
        struct json j;
        json_init(&j, stdout);
        json_object_begin(&j);
        json_member_str(&j, "account", account);
        json_member_str(&j, "cycle", a->cycle);
        json_member_str(&j, "level", a->level);
        json_member_u64(&j, "used_bytes", a->used_bytes);
        json_member_u64(&j, "quota_bytes", a->quota_bytes);
        json_member_str(&j, "fired", fired);
        json_member_u64(&j, "mail_id", (uint64_t)a->mail_id);
        json_object_end(&j);
        putchar('\n');
    } else
        printf("%-20s %-7s %-14s %16llu %16llu  %s\n", account, a->cycle, a->level,
               (unsigned long long)a->used_bytes, (unsigned long long)a->quota_bytes, fired);
}

int cmd_alerts(int argc, char **argv)
{
    struct arg_opt o[] = {{.name = "account"},
                          {.name = "cycle"},
                          {.name = "format"},
                          {.name = "db"},
                          {.name = "help", .is_flag = true}};
    const char *pos[1];
    int n = args_parse(argc, argv, o, N(o), pos, 1);
    if (n < 0)
        return 2;
    if (args_get(o, N(o), "help")) {
        alerts_help(stdout);
        return 0;
    }
    struct printer p = {REPORT_TABLE};
    static const char *const verbs[] = {"list", NULL};
    if (n != 1 || strcmp(pos[0], "list") != 0)
        return args_bad_verb(n ? pos[0] : NULL, verbs);
    if (!args_format(args_get(o, N(o), "format"), &p.f))
        return 2;
    char errbuf[ERR_BUF_LEN] = "";
    struct store *s = store_open(args_db(o, N(o)), true, errbuf);
    if (!s)
        return args_done(NULL, ERR_STORE, errbuf);
    int64_t id = -1;
    const char *account = args_get(o, N(o), "account");
    struct subscriber sub;
    int rc = 0;
    if (account) {
        rc = store_subscriber_get(s, account, &sub);
        if (rc != 0)
            snprintf(errbuf, ERR_BUF_LEN, "no subscriber '%s'", account);
        id = sub.id;
    }
    if (rc == 0) {
        if (p.f == REPORT_CSV)
            printf("account,cycle,level,used_bytes,quota_bytes,fired,mail_id\n");
        else if (p.f == REPORT_TABLE)
            printf("%-20s %-7s %-14s %16s %16s  %s\n", "account", "cycle", "level", "used_bytes",
                   "quota_bytes", "fired");
        rc = store_alert_list(s, id, args_get(o, N(o), "cycle"), print_alert, &p);
        if (rc != 0)
            snprintf(errbuf, ERR_BUF_LEN, "reading alerts: %s", s->ops->last_error(s));
    }
    return args_done(s, rc, errbuf);
}

static void mail_help(FILE *out)
{
    fprintf(out, "usage: flowtally mail queue [--state queued|sending|sent|failed]\n"
                 "                            [--format table|csv|json] [--db PATH]\n"
                 "       flowtally mail retry [--db PATH]   (every queued or failed message,\n"
                 "                                          now)\n"
                 "CSV columns: id,event,kind,to,subject,state,tries,created,next_try,sent,\n"
                 "last_error.\n");
}

static void print_mail(void *ctx, const struct mail_row *m)
{
    struct printer *p = ctx;
    char created[32], next[32], sent[32];
    export_time(m->created_ms, created);
    next[0] = sent[0] = '\0'; /* none: sent, or failed */
    if (m->next_try_ms && strcmp(m->state, "queued") == 0)
        export_time(m->next_try_ms, next);
    if (m->sent_ms)
        export_time(m->sent_ms, sent);
    if (p->f == REPORT_JSON) {
        struct json j;
        json_init(&j, stdout);
        json_object_begin(&j);
        json_member_u64(&j, "id", (uint64_t)m->id);
        json_member_str(&j, "event", m->event);
        json_member_str(&j, "kind", m->kind);
        json_member_str(&j, "to", m->to_addr);
        json_member_str(&j, "subject", m->subject);
        json_member_str(&j, "state", m->state);
        json_member_u64(&j, "tries", (uint64_t)m->tries);
        json_member_str(&j, "created", created);
        json_member_str(&j, "next_try", next);
        json_member_str(&j, "sent", sent);
        json_member_str(&j, "last_error", m->last_error);
        json_object_end(&j);
        putchar('\n');
        return;
    }
    if (p->f == REPORT_TABLE) {
        printf("%6lld %-8s %-7s %2d  %-30.30s %-40.40s %s\n", (long long)m->id, m->kind, m->state,
               m->tries, m->to_addr, m->subject, m->last_error);
        return;
    }
    struct csv c;
    csv_init(&c, stdout);
    csv_u64(&c, (uint64_t)m->id);
    csv_text(&c, m->event);
    csv_text(&c, m->kind);
    csv_text(&c, m->to_addr);
    csv_text_quoted(&c, m->subject);
    csv_text(&c, m->state);
    csv_u64(&c, (uint64_t)m->tries);
    csv_text(&c, created);
    csv_text(&c, next);
    csv_text(&c, sent);
    csv_text_quoted(&c, m->last_error);
    csv_end_row(&c);
}

int cmd_mail(int argc, char **argv)
{
    struct arg_opt o[] = {
        {.name = "state"}, {.name = "format"}, {.name = "db"}, {.name = "help", .is_flag = true}};
    const char *pos[1];
    int n = args_parse(argc, argv, o, N(o), pos, 1);
    if (n < 0)
        return 2;
    if (args_get(o, N(o), "help")) {
        mail_help(stdout);
        return 0;
    }
    struct printer p = {REPORT_TABLE};
    static const char *const verbs[] = {"queue", "retry", NULL};
    bool retry = n == 1 && strcmp(pos[0], "retry") == 0;
    if (n != 1 || (!retry && strcmp(pos[0], "queue") != 0))
        return args_bad_verb(n ? pos[0] : NULL, verbs);
    if (!args_format(args_get(o, N(o), "format"), &p.f))
        return 2;
    char errbuf[ERR_BUF_LEN] = "";
    struct store *s = store_open(args_db(o, N(o)), !retry, errbuf);
    if (!s)
        return args_done(NULL, ERR_STORE, errbuf);
    int rc;
    if (retry) {
        int changed = 0;
        rc = store_mail_retry_all(s, args_now_ms(), &changed);
        if (rc == 0)
            printf("%d messages to be tried again now\n", changed);
    } else {
        if (p.f == REPORT_CSV)
            printf("id,event,kind,to,subject,state,tries,created,next_try,sent,last_error\n");
        rc = store_mail_list(s, args_get(o, N(o), "state"), print_mail, &p);
    }
    if (rc != 0)
        snprintf(errbuf, ERR_BUF_LEN, "the mail queue: %s", s->ops->last_error(s));
    return args_done(s, rc, errbuf);
}
