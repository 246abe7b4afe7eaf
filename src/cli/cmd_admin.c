// SPDX-License-Identifier: MIT
// `flowtally plan`, `subscriber`, `quota`, `bind`, `unbind` and `register`: argument parsing
// and printing; validation and storage are in admin/.
#include "../admin/admin.h"
#include "../base/csv.h"
#include "../base/json.h"
#include "../base/units.h"
#include "../base/xalloc.h"
#include "../report/report.h"
#include "argfile.h"
#include "args.h"
#include "cli.h"
#include "../daemon/run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* The message for an import line that args_parse_msg() refused (n < 0, msg saying why) or
 * that has the wrong number of words: what a line holds. */
static int line_usage(char *msg, int n, const char *expected)
{
    char why[ERR_BUF_LEN / 2];
    snprintf(why, sizeof why, "%s", n < 0 ? msg : "");
    snprintf(msg, ERR_BUF_LEN, "%s%sexpected %s", why, why[0] ? ": " : "", expected);
    return ERR_MALFORMED;
}

/* Imports a file of command lines and prints what it did. */
static int import_file(struct store *s, const char *path, argfile_line_fn *fn, void *ctx,
                       const char *what, char *errbuf)
{
    uint64_t n;
    int rc = argfile_import(s, path, fn, ctx, &n, errbuf);
    if (rc == 0 && what)
        args_say("imported %llu %s from %s", (unsigned long long)n, what, path);
    return rc;
}

/* ---- plans ---- */

/* The plan columns of CSV and JSON, in output order: new columns go at the end, so scripts
 * that read columns by position keep working. */
static const char *const plan_columns[] = {
    "name",  "quota_bytes", "quota_dirs", "price",          "overage_per_gb", "anchor_day",
    "speed", "burstable",   "commit_bps", "price_per_mbps", "burst_dirs",     NULL};

/* A rate exactly, in the largest unit it reaches, as units_parse_rate() reads it back:
 * 100000000 -> "100Mbps", 1500000000 -> "1.5Gbps", 64500 -> "64.5kbps". buf: 32 bytes. */
static const char *format_rate(uint64_t bps, char *buf)
{
    static const struct {
        const char *name;
        uint64_t factor;
        int digits; /* of the fraction */
    } units[] = {{"Gbps", 1000000000ULL, 9}, {"Mbps", 1000000ULL, 6}, {"kbps", 1000ULL, 3}};
    for (size_t i = 0; i < N(units); i++) {
        if (bps < units[i].factor)
            continue;
        uint64_t frac = bps % units[i].factor;
        int digits = units[i].digits;
        while (digits > 0 && frac % 10 == 0 && frac) {
            frac /= 10;
            digits--;
        }
        if (frac == 0)
            snprintf(buf, 32, "%llu%s", (unsigned long long)(bps / units[i].factor), units[i].name);
        else
            snprintf(buf, 32, "%llu.%0*llu%s", (unsigned long long)(bps / units[i].factor), digits,
                     (unsigned long long)frac, units[i].name);
        return buf;
    }
    snprintf(buf, 32, "%llubps", (unsigned long long)bps);
    return buf;
}

/* A burstable plan's columns in CSV: commit, price per Mbps and direction; empty cells for
 * another plan (nothing to say, as the quota of an unlimited one). */
static void csv_burst(struct csv *c, const struct plan *p, const char *per_mbps)
{
    csv_u64(c, p->burstable);
    if (p->burstable)
        csv_u64(c, p->commit_bps);
    else
        csv_number(c, "");
    csv_number(c, p->burstable ? per_mbps : "");
    csv_text(c, p->burst_dirs);
}

/* The same in JSON: null for another plan. burstable is 0 or 1, as in CSV (the JSON writer
 * has no booleans). */
static void json_burst(struct json *j, const struct plan *p, const char *per_mbps)
{
    json_member_u64(j, "burstable", p->burstable);
    json_key(j, "commit_bps");
    if (p->burstable)
        json_u64(j, p->commit_bps);
    else
        json_null(j);
    json_key(j, "price_per_mbps");
    if (p->burstable)
        json_str(j, per_mbps);
    else
        json_null(j);
    json_key(j, "burst_dirs");
    if (p->burstable)
        json_str(j, p->burst_dirs);
    else
        json_null(j);
}

/* The table's 95th percentile column: "max >100Mbps 2.50" (direction, commit, price per
 * Mbps above it), "-" for another plan. */
static const char *table_burst(const struct plan *p, const char *per_mbps, char *buf, size_t size)
{
    char rate[32];
    if (p->burstable)
        snprintf(buf, size, "%s >%s %s", p->burst_dirs, format_rate(p->commit_bps, rate), per_mbps);
    else
        snprintf(buf, size, "-");
    return buf;
}

/* CSV and JSON carry the quota in bytes: "" (CSV) or null (JSON) when unlimited. One JSON
 * document per line; the speed is free text, always quoted in CSV. */
static void print_plan(void *ctx, const struct plan *p)
{
    enum report_format *f = ctx;
    char quota[32], price[32], over[32], per_mbps[32];
    if (p->unlimited)
        snprintf(quota, sizeof quota, "%s", *f == REPORT_TABLE ? "unlimited" : "");
    else if (*f == REPORT_TABLE)
        report_human_bytes(p->quota_bytes, quota);
    else
        snprintf(quota, sizeof quota, "%llu", (unsigned long long)p->quota_bytes);
    units_format_money(p->price_micro, price);
    units_format_money(p->overage_micro_per_gb, over);
    units_format_money(p->price_micro_per_mbps, per_mbps);
    if (*f == REPORT_CSV) {
        struct csv c;
        csv_init(&c, stdout);
        csv_text(&c, p->name);
        csv_number(&c, quota);
        csv_text(&c, p->quota_dirs);
        csv_number(&c, price);
        csv_number(&c, over);
        csv_u64(&c, (uint64_t)p->anchor_day);
        csv_text_quoted(&c, p->speed);
        csv_burst(&c, p, per_mbps);
        csv_end_row(&c);
    } else if (*f == REPORT_JSON) {
        struct json j;
        json_init(&j, stdout);
        json_object_begin(&j);
        json_member_str(&j, "name", p->name);
        json_key(&j, "quota_bytes");
        if (p->unlimited)
            json_null(&j);
        else
            json_u64(&j, p->quota_bytes);
        json_member_str(&j, "quota_dirs", p->quota_dirs);
        json_member_str(&j, "price", price);
        json_member_str(&j, "overage_per_gb", over);
        json_member_u64(&j, "anchor_day", (uint64_t)p->anchor_day);
        json_member_str(&j, "speed", p->speed);
        json_burst(&j, p, per_mbps);
        json_object_end(&j);
        putchar('\n');
    } else {
        char burst[80];
        printf("%-16s %12s %-5s %10s %10s %6d  %-24s %s\n", p->name, quota, p->quota_dirs, price,
               over, p->anchor_day, table_burst(p, per_mbps, burst, sizeof burst), p->speed);
    }
}

static void plan_help(FILE *out)
{
    fprintf(out,
            "usage: flowtally plan add|set NAME [--quota SIZE|unlimited] [--dirs in|out|both]\n"
            "                 [--price MONEY] [--overage MONEY_PER_GB] [--speed TEXT]\n"
            "                 [--anchor DAY] [--alert-levels LIST] [--db PATH]\n"
            "       flowtally plan add|set NAME --burstable --commit RATE --price-per-mbps MONEY\n"
            "                 [--dirs in|out|max] [--price MONEY] [...] [--db PATH]\n"
            "       flowtally plan list [--format table|csv|json] [--db PATH]\n"
            "       flowtally plan remove NAME [--db PATH]\n"
            "       flowtally plan import FILE [--db PATH]   (each line: the arguments of "
            "plan add)\n"
            "SIZE: 15GB, 500MiB (GB = 10^9 bytes, GiB = 2^30). MONEY: 25.00. DAY: 1..31, the\n"
            "day of the month a cycle starts at 00:00 local time (a month without that day:\n"
            "its last day). --dirs: what counts toward the quota.\n"
            "Burstable (95th percentile) plans bill the monthly --price plus, for each Mbps\n"
            "the cycle's 95th percentile of 5-minute samples is above --commit, the price\n"
            "per Mbps. RATE: 100Mbps, 1.5Gbps, 512kbps (powers of 1000). --dirs: the\n"
            "percentile of in, of out, or max, the greater of the two (the quota then counts\n"
            "the same: in, out, or both). They need a store whose bucket is 300 s.\n");
}

/* The options of `plan add|set`, first in the command's list and alone on an import line. */
// clang-format off
#define PLAN_FIELD_OPTS \
    {.name = "quota"}, {.name = "dirs"}, {.name = "price"}, {.name = "overage"}, \
    {.name = "speed"}, {.name = "anchor"}, {.name = "burstable", .is_flag = true}, \
    {.name = "commit"}, {.name = "price-per-mbps"}, {.name = "alert-levels"}
// clang-format on
#define PLAN_ADD_ARGS "NAME [--quota SIZE|unlimited] [--dirs in|out|both] [--price MONEY] [...]"

static struct plan_fields plan_fields(const struct arg_opt *o)
{
    return (struct plan_fields){.quota = o[0].value,
                                .dirs = o[1].value,
                                .price = o[2].value,
                                .overage = o[3].value,
                                .speed = o[4].value,
                                .anchor = o[5].value,
                                .burstable = o[6].value,
                                .commit = o[7].value,
                                .price_per_mbps = o[8].value,
                                .alert_levels = o[9].value};
}

/* One line of `plan import`: the arguments of `plan add`; a plan that exists is updated. */
static int plan_line(struct store *s, void *ctx, int argc, char **argv, char *msg)
{
    struct arg_opt o[] = {PLAN_FIELD_OPTS};
    const char *pos[1];
    (void)ctx;
    int n = args_parse_msg(argc, argv, o, N(o), pos, 1, msg);
    if (n != 1)
        return line_usage(msg, n, PLAN_ADD_ARGS);
    struct plan_fields f = plan_fields(o);
    struct plan existing;
    bool insert = store_plan_get(s, pos[0], &existing) != 0;
    return admin_plan_save(s, pos[0], &f, insert, msg);
}

static const char *const plan_verbs[] = {"add", "set", "list", "remove", "import", NULL};

/* Whether verb is one of verbs (NULL-terminated). */
static bool is_verb(const char *verb, const char *const *verbs)
{
    for (size_t i = 0; verbs[i]; i++)
        if (strcmp(verb, verbs[i]) == 0)
            return true;
    return false;
}

/* The usage error of a verb given the wrong number of words: what it takes. Returns 2. */
static int verb_args(const char *cmd, const char *verb, const char *takes)
{
    return args_usage_error("%s %s takes %s", cmd, verb, takes);
}

int cmd_plan(int argc, char **argv)
{
    struct arg_opt o[] = {
        PLAN_FIELD_OPTS, {.name = "db"}, {.name = "format"}, {.name = "help", .is_flag = true}};
    const char *pos[2];
    int n = args_parse(argc, argv, o, N(o), pos, 2);
    if (n < 0)
        return 2;
    if (args_get(o, N(o), "help")) {
        plan_help(stdout);
        return 0;
    }
    if (n == 0 || !is_verb(pos[0], plan_verbs))
        return args_bad_verb(n ? pos[0] : NULL, plan_verbs);
    const char *verb = pos[0];
    bool is_list = strcmp(verb, "list") == 0;
    if (n != (is_list ? 1 : 2))
        return verb_args("plan", verb,
                         is_list                       ? "no NAME"
                         : strcmp(verb, "import") == 0 ? "FILE"
                                                       : "NAME");
    enum report_format fmt = REPORT_TABLE;
    if (is_list && !args_format(args_get(o, N(o), "format"), &fmt))
        return 2;
    char errbuf[ERR_BUF_LEN];
    struct store *s = admin_open(args_db(o, N(o)), errbuf);
    if (!s)
        return args_done(NULL, 1, errbuf);
    struct plan_fields f = plan_fields(o);
    if (is_list) {
        if (fmt == REPORT_CSV) {
            struct csv c;
            csv_init(&c, stdout);
            csv_header(&c, plan_columns);
        } else if (fmt == REPORT_TABLE)
            printf("%-16s %12s %-5s %10s %10s %6s  %-24s %s\n", "plan", "quota", "dirs", "price",
                   "over/GB", "anchor", "burstable", "speed");
        return args_done(s, store_plan_list(s, print_plan, &fmt), errbuf);
    }
    int rc;
    if (strcmp(verb, "add") == 0 || strcmp(verb, "set") == 0) {
        rc = admin_plan_save(s, pos[1], &f, verb[0] == 'a', errbuf);
        if (rc == 0)
            args_say("plan %s %s", pos[1], verb[0] == 'a' ? "added" : "updated");
    } else if (strcmp(verb, "remove") == 0) {
        rc = store_plan_remove(s, pos[1], errbuf);
        if (rc == 0)
            args_say("plan %s removed", pos[1]);
    } else
        rc = import_file(s, pos[1], plan_line, NULL, "plans", errbuf);
    return args_done(s, rc, errbuf);
}

/* ---- subscribers ---- */

/* The subscriber columns of CSV and JSON, in output order. */
static const char *const subscriber_columns[] = {"account", "name",   "email",
                                                 "plan",    "status", NULL};

/* One JSON document per line; the name is free text, always quoted in CSV. */
static void print_subscriber(void *ctx, const struct subscriber *sub)
{
    enum report_format *f = ctx;
    if (*f == REPORT_CSV) {
        struct csv c;
        csv_init(&c, stdout);
        csv_text(&c, sub->account);
        csv_text_quoted(&c, sub->name);
        csv_text(&c, sub->email);
        csv_text(&c, sub->plan);
        csv_text(&c, sub->status);
        csv_end_row(&c);
    } else if (*f == REPORT_JSON) {
        struct json j;
        json_init(&j, stdout);
        json_object_begin(&j);
        json_member_str(&j, "account", sub->account);
        json_member_str(&j, "name", sub->name);
        json_member_str(&j, "email", sub->email);
        json_member_str(&j, "plan", sub->plan);
        json_member_str(&j, "status", sub->status);
        json_object_end(&j);
        putchar('\n');
    } else
        printf("%-16s %-24s %-28s %-12s %s\n", sub->account, sub->name, sub->email, sub->plan,
               sub->status);
}

static void format_time(uint64_t ms, char *buf, size_t size)
{
    if (ms == 0) {
        snprintf(buf, size, "-");
        return;
    }
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void print_binding(void *ctx, const struct binding_row *b)
{
    (void)ctx;
    char from[32], to[32];
    format_time(b->start_ms, from, sizeof from);
    format_time(b->end_ms, to, sizeof to);
    printf("  %-6s %-28s %-20s %-20s %s%s%s\n", b->kind, b->value, from, to, b->source,
           b->session[0] ? " " : "", b->session);
}

static void subscriber_help(FILE *out)
{
    fprintf(out,
            "usage: flowtally subscriber add|set ACCOUNT [--name TEXT] [--email ADDR]\n"
            "                 [--plan PLAN [--plan-from TIME]] [--status active|suspended|closed]\n"
            "                 [--notes TEXT] [--alert-levels LIST]\n"
            "       flowtally subscriber list [--format table|csv|json]\n"
            "       flowtally subscriber show ACCOUNT\n"
            "       flowtally subscriber remove ACCOUNT   (usage rows stay, shown as removed)\n"
            "       flowtally subscriber import FILE\n"
            "All take --db PATH. Each line of an import FILE holds the arguments of subscriber\n"
            "add (\"double quotes\" group words, # starts a comment); an account that exists\n"
            "is updated as by subscriber set. The whole file is stored in one transaction:\n"
            "a bad line is reported as FILE:LINE and nothing of the file is stored.\n"
            "--plan-from: when the plan took effect (bills prorate a change inside a cycle):\n"
            "unix seconds, YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS] (UTC), not in the future. By\n"
            "default add holds the plan from the beginning, and set changes it now.\n");
}

/* The options of `subscriber add|set`, first in the command's list and alone on an import
 * line, so both go through subscriber_fields() and admin_subscriber_save(). */
// clang-format off
#define SUBSCRIBER_FIELD_OPTS \
    {.name = "name"}, {.name = "email"}, {.name = "plan"}, {.name = "status"}, \
    {.name = "notes"}, {.name = "plan-from"}, {.name = "alert-levels"}
// clang-format on
#define N_SUBSCRIBER_FIELDS 7
#define SUBSCRIBER_ADD_ARGS                                                                        \
    "ACCOUNT [--name TEXT] [--email ADDR] [--plan PLAN [--plan-from TIME]] "                       \
    "[--status active|suspended|closed] [--notes TEXT]"

/* The fields of SUBSCRIBER_FIELD_OPTS; --plan-from parsed as the other time options are.
 * Returns 0, or ERR_MALFORMED with msg saying what --plan-from should have been. */
static int subscriber_fields(const struct arg_opt *o, uint64_t now, struct subscriber_fields *f,
                             char *msg)
{
    *f = (struct subscriber_fields){.name = o[0].value,
                                    .email = o[1].value,
                                    .plan = o[2].value,
                                    .status = o[3].value,
                                    .notes = o[4].value,
                                    .has_plan_from = o[5].value != NULL,
                                    .alert_levels = o[6].value,
                                    .now_ms = now};
    return args_time_msg("plan-from", o[5].value, 0, &f->plan_from_ms, msg) ? 0 : ERR_MALFORMED;
}

/* One line of `subscriber import`: the arguments of `subscriber add`; an account that
 * exists is updated with the fields given, as by `subscriber set`. ctx: the import's now. */
static int subscriber_line(struct store *s, void *ctx, int argc, char **argv, char *msg)
{
    struct arg_opt o[] = {SUBSCRIBER_FIELD_OPTS};
    const char *pos[1];
    const uint64_t *now = ctx;
    int n = args_parse_msg(argc, argv, o, N(o), pos, 1, msg);
    if (n != 1)
        return line_usage(msg, n, SUBSCRIBER_ADD_ARGS);
    struct subscriber_fields f;
    if (subscriber_fields(o, *now, &f, msg) != 0)
        return ERR_MALFORMED;
    struct subscriber existing;
    bool insert = store_subscriber_get(s, pos[0], &existing) != 0;
    return admin_subscriber_save(s, pos[0], &f, insert, msg);
}

/* Whether any of the first n options was given. */
static bool any_given(const struct arg_opt *o, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (o[i].value)
            return true;
    return false;
}

static const char *const subscriber_verbs[] = {"add",    "set",    "list", "show",
                                               "remove", "import", NULL};

int cmd_subscriber(int argc, char **argv)
{
    struct arg_opt o[] = {SUBSCRIBER_FIELD_OPTS,
                          {.name = "db"},
                          {.name = "format"},
                          {.name = "help", .is_flag = true}};
    const char *pos[2];
    int n = args_parse(argc, argv, o, N(o), pos, 2);
    if (n < 0)
        return 2;
    if (args_get(o, N(o), "help")) {
        subscriber_help(stdout);
        return 0;
    }
    if (n == 0 || !is_verb(pos[0], subscriber_verbs))
        return args_bad_verb(n ? pos[0] : NULL, subscriber_verbs);
    const char *verb = pos[0];
    bool is_list = strcmp(verb, "list") == 0;
    if (n != (is_list ? 1 : 2))
        return verb_args("subscriber", verb,
                         is_list                       ? "no ACCOUNT"
                         : strcmp(verb, "import") == 0 ? "FILE"
                                                       : "ACCOUNT");
    enum report_format fmt = REPORT_TABLE;
    if (is_list && !args_format(args_get(o, N(o), "format"), &fmt))
        return 2;
    if (strcmp(verb, "import") == 0 && any_given(o, N_SUBSCRIBER_FIELDS))
        return args_usage_error("subscriber import takes FILE and --db only; the fields go on "
                                "each line of FILE");
    char errbuf[ERR_BUF_LEN];
    uint64_t now = args_now_ms();
    struct subscriber_fields f;
    bool is_save = strcmp(verb, "add") == 0 || strcmp(verb, "set") == 0;
    if (is_save && subscriber_fields(o, now, &f, errbuf) != 0)
        return args_usage_error("%s", errbuf);
    struct store *s = admin_open(args_db(o, N(o)), errbuf);
    if (!s)
        return args_done(NULL, 1, errbuf);
    if (is_list) {
        if (fmt == REPORT_CSV) {
            struct csv c;
            csv_init(&c, stdout);
            csv_header(&c, subscriber_columns);
        } else if (fmt == REPORT_TABLE)
            printf("%-16s %-24s %-28s %-12s %s\n", "account", "name", "email", "plan", "status");
        return args_done(s, store_subscriber_list(s, print_subscriber, &fmt), errbuf);
    }
    const char *account = pos[1];
    int rc;
    if (is_save) {
        rc = admin_subscriber_save(s, account, &f, verb[0] == 'a', errbuf);
        if (rc == 0)
            args_say("subscriber %s %s", account, verb[0] == 'a' ? "added" : "updated");
        return args_done(s, rc, errbuf);
    }
    if (strcmp(verb, "import") == 0)
        return args_done(s, import_file(s, pos[1], subscriber_line, &now, "subscribers", errbuf),
                         errbuf);
    if (strcmp(verb, "remove") == 0) {
        rc = store_subscriber_remove(s, account, errbuf);
        if (rc == 0)
            args_say("subscriber %s removed", account);
        return args_done(s, rc, errbuf);
    }
    struct subscriber sub; /* show */
    if (store_subscriber_get(s, account, &sub) != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "no subscriber '%s'", account);
        return args_done(s, ERR_NOT_FOUND, errbuf);
    }
    printf("account: %s\nname:    %s\nemail:   %s\nplan:    %s\nstatus:  %s\nnotes:   %s\n"
           "bindings:\n",
           sub.account, sub.name, sub.email, sub.plan[0] ? sub.plan : "(none)", sub.status,
           sub.notes);
    return args_done(s, store_binding_list(s, account, print_binding, NULL), errbuf);
}

/* ---- top-ups ---- */

static void quota_help(FILE *out)
{
    fprintf(out, "usage: flowtally quota add ACCOUNT SIZE [--price MONEY] [--at TIME] [--db PATH]\n"
                 "       flowtally quota list [ACCOUNT] [--format table|csv|json] [--db PATH]\n"
                 "add: bytes bought on top of the quota of the cycle holding TIME (default now),\n"
                 "billed as a line of that cycle's bill at MONEY (default 0). SIZE: 5GB, 500MiB\n"
                 "(GB = 10^9 bytes, GiB = 2^30). TIME: unix seconds, YYYY-MM-DD or\n"
                 "YYYY-MM-DDTHH:MM[:SS] (UTC).\n"
                 "list: every top-up (of ACCOUNT), by account and time.\n");
}

/* The top-up columns of CSV and JSON, in output order. */
static const char *const topup_columns[] = {"account", "at", "bytes", "price", NULL};

/* Who bought each top-up: subscriber ids and accounts, sorted by id. */
struct topup_print {
    enum report_format fmt;
    struct subscriber *subs; /* from malloc() */
    size_t n, cap;
};

static void collect_sub(void *ctx, const struct subscriber *sub)
{
    struct topup_print *tp = ctx;
    if (tp->n == tp->cap) {
        tp->cap = tp->cap ? tp->cap * 2 : 64;
        tp->subs = xrealloc(tp->subs, tp->cap * sizeof *tp->subs);
    }
    tp->subs[tp->n++] = *sub;
}

static int by_id(const void *a, const void *b)
{
    int64_t x = ((const struct subscriber *)a)->id, y = ((const struct subscriber *)b)->id;
    return (x > y) - (x < y);
}

static void print_topup(void *ctx, const struct topup_row *t)
{
    struct topup_print *tp = ctx;
    struct subscriber key = {.id = t->subscriber_id};
    const struct subscriber *sub = bsearch(&key, tp->subs, tp->n, sizeof key, by_id);
    const char *account = sub ? sub->account : "(removed)";
    char at[32], price[32], size[32];
    format_time(t->at_ms, at, sizeof at);
    units_format_money(t->price_micro, price);
    if (tp->fmt == REPORT_CSV) {
        struct csv c;
        csv_init(&c, stdout);
        csv_text(&c, account);
        csv_text(&c, at);
        csv_u64(&c, t->bytes);
        csv_number(&c, price);
        csv_end_row(&c);
    } else if (tp->fmt == REPORT_JSON) {
        struct json j;
        json_init(&j, stdout);
        json_object_begin(&j);
        json_member_str(&j, "account", account);
        json_member_str(&j, "at", at);
        json_member_u64(&j, "bytes", t->bytes);
        json_member_str(&j, "price", price);
        json_object_end(&j);
        putchar('\n');
    } else
        printf("%-16s %-20s %12s %10s\n", account, at, report_human_bytes(t->bytes, size), price);
}

/* Every top-up (of one account, or all), by subscriber id and time, with its account. */
static int quota_list(struct store *s, const char *account, enum report_format fmt, char *errbuf)
{
    struct topup_print tp = {.fmt = fmt};
    int rc = store_subscriber_list(s, collect_sub, &tp);
    if (rc != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "cannot list subscribers: %s", s->ops->last_error(s));
        free(tp.subs);
        return rc;
    }
    qsort(tp.subs, tp.n, sizeof *tp.subs, by_id);
    int64_t id = -1;
    if (account) {
        struct subscriber sub;
        if (store_subscriber_get(s, account, &sub) != 0) {
            snprintf(errbuf, ERR_BUF_LEN, "no subscriber '%s' (see flowtally subscriber list)",
                     account);
            free(tp.subs);
            return ERR_NOT_FOUND;
        }
        id = sub.id;
    }
    if (fmt == REPORT_CSV) {
        struct csv c;
        csv_init(&c, stdout);
        csv_header(&c, topup_columns);
    } else if (fmt == REPORT_TABLE)
        printf("%-16s %-20s %12s %10s\n", "account", "at", "size", "price");
    /* all time: [0, INT64_MAX), the largest time every engine holds */
    rc = store_topup_list(s, id, 0, (uint64_t)INT64_MAX, print_topup, &tp);
    if (rc != 0)
        snprintf(errbuf, ERR_BUF_LEN, "cannot list top-ups: %s", s->ops->last_error(s));
    free(tp.subs);
    return rc;
}

int cmd_quota(int argc, char **argv)
{
    struct arg_opt o[] = {{.name = "price"},
                          {.name = "at"},
                          {.name = "format"},
                          {.name = "db"},
                          {.name = "help", .is_flag = true}};
    const char *pos[3];
    int n = args_parse(argc, argv, o, N(o), pos, 3);
    if (n < 0)
        return 2;
    static const char *const verbs[] = {"add", "list", NULL};
    if (args_get(o, N(o), "help")) {
        quota_help(stdout);
        return 0;
    }
    if (n == 0 || !is_verb(pos[0], verbs))
        return args_bad_verb(n ? pos[0] : NULL, verbs);
    bool is_add = n == 3 && strcmp(pos[0], "add") == 0;
    bool is_list = (n == 1 || n == 2) && strcmp(pos[0], "list") == 0;
    if (!is_add && !is_list)
        return verb_args("quota", pos[0], pos[0][0] == 'a' ? "ACCOUNT SIZE" : "[ACCOUNT]");
    enum report_format fmt = REPORT_TABLE;
    uint64_t at;
    const char *misplaced = is_add ? (args_get(o, N(o), "format") ? "--format" : NULL)
                            : args_get(o, N(o), "price") ? "--price"
                            : args_get(o, N(o), "at")    ? "--at"
                                                         : NULL;
    if (misplaced)
        return args_usage_error("quota %s takes no %s", pos[0], misplaced);
    if (!args_format(args_get(o, N(o), "format"), &fmt) ||
        !args_time("at", args_get(o, N(o), "at"), args_now_ms(), &at))
        return 2;
    char errbuf[ERR_BUF_LEN];
    struct store *s = admin_open(args_db(o, N(o)), errbuf);
    if (!s)
        return args_done(NULL, 1, errbuf);
    if (is_list)
        return args_done(s, quota_list(s, n == 2 ? pos[1] : NULL, fmt, errbuf), errbuf);
    int rc = admin_topup_add(s, pos[1], pos[2], args_get(o, N(o), "price"), at, errbuf);
    if (rc == 0)
        args_say("top-up of %s added to %s", pos[2], pos[1]);
    return args_done(s, rc, errbuf);
}

/* ---- bindings ---- */

/* Parses argv for a command taking exactly `want` positional words (named by `takes`).
 * Returns -1 to go on, or the exit status: 0 after printing the help when it was asked for
 * (--help), 2 after a usage error. */
static int parse_exact(int argc, char **argv, struct arg_opt *o, size_t n_o, const char **pos,
                       int want, const char *help, const char *takes)
{
    int n = args_parse(argc, argv, o, n_o, pos, want);
    if (n < 0)
        return 2;
    if (args_get(o, n_o, "help")) {
        fputs(help, stdout);
        return 0;
    }
    if (n != want)
        return args_usage_error("expected %s", takes);
    return -1;
}

/* The options of `bind`, first in the command's list and alone on an import line. */
// clang-format off
#define BIND_OPTS {.name = "from"}, {.name = "to"}, {.name = "wide", .is_flag = true}
// clang-format on
#define N_BIND_OPTS 3
#define BIND_ARGS "ACCOUNT ADDRESS|PREFIX|MAC [--from TIME] [--to TIME] [--wide]"

static const char bind_help[] =
    "usage: flowtally bind " BIND_ARGS " [--db PATH]\n"
    "       flowtally bind import FILE [--db PATH]\n"
    "Ties an address, a prefix (an IPv6 customer's /56) or a MAC to the account from\n"
    "TIME (default now) until TIME (default open). An open binding of the same\n"
    "address held by another account ends where this one starts; binding what the\n"
    "account holds open already changes nothing. Prefixes shorter than /8 (IPv4) or\n"
    "/16 (IPv6) need --wide: one account would hold that many addresses.\n"
    "A bound address or prefix is ours: its traffic counts as in, out or internal\n"
    "even outside local_nets (a public IPv4 address, a delegated /56), and stays\n"
    "local after the binding ends (then unassigned, never transit).\n"
    "Each line of an import FILE holds the arguments of bind (# starts a comment). The\n"
    "whole file is stored in one transaction: a bad line is reported as FILE:LINE and\n"
    "nothing of the file is stored. A running daemon picks the bindings up after its\n"
    "next flush.\n";

struct bind_req {
    const char *account, *what;
    uint64_t from, to;
    bool is_wide; /* --wide: a prefix of any length */
};

/* `bind`'s arguments once parsed (o: BIND_OPTS first; pos: ACCOUNT and what to bind),
 * shared by the command and each line of `bind import`; admin_bind() checks the rest. */
static int bind_request(const struct arg_opt *o, const char *const *pos, uint64_t now,
                        struct bind_req *r, char *msg)
{
    r->account = pos[0];
    r->what = pos[1];
    r->is_wide = o[2].value != NULL;
    if (!args_time_msg("from", o[0].value, now, &r->from, msg) ||
        !args_time_msg("to", o[1].value, 0, &r->to, msg))
        return ERR_MALFORMED;
    return 0;
}

struct bind_import {
    uint64_t now;    /* when the import started: --from's default */
    uint64_t n_held; /* lines binding what their account held open already */
};

/* One line of `bind import`: the arguments of `bind`. A line its account holds already is
 * applied as a no-op (counted), so importing a file twice stores what once does. */
static int bind_line(struct store *s, void *ctx, int argc, char **argv, char *msg)
{
    struct bind_import *bi = ctx;
    struct arg_opt o[] = {BIND_OPTS};
    const char *pos[2];
    int n = args_parse_msg(argc, argv, o, N(o), pos, 2, msg);
    if (n != 2)
        return line_usage(msg, n, BIND_ARGS);
    struct bind_req r;
    int rc = bind_request(o, pos, bi->now, &r, msg);
    if (rc == 0)
        rc = admin_bind_wide(s, r.account, r.what, r.from, r.to, "static", r.is_wide, msg);
    if (rc == STORE_BINDING_HELD) {
        bi->n_held++;
        rc = 0;
    }
    return rc;
}

/* args_done() for a binding: one the account holds open already is no error; stdout says so. */
static int bound(struct store *s, int rc, const char *errbuf)
{
    if (rc == STORE_BINDING_HELD) {
        printf("%s\n", errbuf);
        rc = 0;
    }
    return args_done(s, rc, errbuf);
}

/* `bind import FILE`; a second word that is an address, prefix or MAC still binds the
 * account named "import". */
static bool is_import(const char *const *pos)
{
    const char *kind;
    char value[64], msg[ERR_BUF_LEN];
    return strcmp(pos[0], "import") == 0 &&
           admin_binding_value(pos[1], &kind, value, sizeof value, msg) != 0;
}

int cmd_bind(int argc, char **argv)
{
    struct arg_opt o[] = {BIND_OPTS, {.name = "db"}, {.name = "help", .is_flag = true}};
    const char *pos[2];
    int rc = parse_exact(argc, argv, o, N(o), pos, 2, bind_help,
                         "ACCOUNT and ADDRESS|PREFIX|MAC, or import FILE");
    if (rc >= 0)
        return rc;
    char errbuf[ERR_BUF_LEN];
    struct bind_import bi = {.now = args_now_ms()};
    bool import = is_import(pos);
    struct bind_req r;
    if (import && any_given(o, N_BIND_OPTS))
        return args_usage_error("bind import takes FILE and --db only; --from, --to and --wide "
                                "go on each line of FILE");
    if (!import && bind_request(o, pos, bi.now, &r, errbuf) != 0)
        return args_usage_error("%s", errbuf);
    struct store *s = admin_open(args_db(o, N(o)), errbuf);
    if (!s)
        return args_done(NULL, 1, errbuf);
    if (import) {
        rc = import_file(s, pos[1], bind_line, &bi, "bindings", errbuf);
        if (rc == 0 && bi.n_held)
            printf("%llu of them bound what their account held already: left as it was\n",
                   (unsigned long long)bi.n_held);
        return args_done(s, rc, errbuf);
    }
    rc = admin_bind_wide(s, r.account, r.what, r.from, r.to, "static", r.is_wide, errbuf);
    if (rc == 0)
        args_say("%s bound to %s", r.what, r.account);
    return bound(s, rc, errbuf);
}

static const char register_help[] =
    "usage: flowtally register ACCOUNT MAC [--from TIME] [--db PATH]\n"
    "Registers a device's MAC to the account from TIME (default now); DHCP leases then map\n"
    "its addresses. The old order, register MAC ACCOUNT, is still taken (with a warning)\n"
    "when the first word is a MAC and the second is not.\n";

int cmd_register(int argc, char **argv)
{
    struct arg_opt o[] = {{.name = "from"}, {.name = "db"}, {.name = "help", .is_flag = true}};
    const char *pos[2];
    int rc = parse_exact(argc, argv, o, N(o), pos, 2, register_help, "ACCOUNT MAC");
    if (rc >= 0)
        return rc;
    uint64_t from;
    if (!args_time("from", args_get(o, N(o), "from"), args_now_ms(), &from))
        return 2;
    uint8_t mac[6];
    const char *account = pos[0], *what = pos[1];
    if (units_parse_mac(what, mac) != 0) {
        if (units_parse_mac(account, mac) != 0)
            return args_usage_error("'%s': expected a MAC address such as aa:bb:cc:dd:ee:ff "
                                    "(register ACCOUNT MAC)",
                                    what);
        /* the order before issue 14 (MAC first), kept for the scripts that use it */
        account = pos[1];
        what = pos[0];
        fprintf(stderr,
                "flowtally: register: warning: MAC ACCOUNT is the old order; write "
                "flowtally register %s %s\n",
                account, what);
    }
    char errbuf[ERR_BUF_LEN];
    struct store *s = admin_open(args_db(o, N(o)), errbuf);
    if (!s)
        return args_done(NULL, 1, errbuf);
    rc = admin_bind(s, account, what, from, 0, "register", errbuf);
    if (rc == 0)
        args_say("%s registered to %s", what, account);
    return bound(s, rc, errbuf);
}

int cmd_unbind(int argc, char **argv)
{
    struct arg_opt o[] = {{.name = "at"}, {.name = "db"}, {.name = "help", .is_flag = true}};
    const char *pos[1];
    int rc = parse_exact(argc, argv, o, N(o), pos, 1,
                         "usage: flowtally unbind ADDRESS|PREFIX|MAC [--at TIME] [--db PATH]\n"
                         "Ends the open bindings of the address, prefix or MAC at TIME (default "
                         "now).\n",
                         "ADDRESS|PREFIX|MAC");
    if (rc >= 0)
        return rc;
    uint64_t at;
    if (!args_time("at", args_get(o, N(o), "at"), args_now_ms(), &at))
        return 2;
    char errbuf[ERR_BUF_LEN];
    struct store *s = admin_open(args_db(o, N(o)), errbuf);
    if (!s)
        return args_done(NULL, 1, errbuf);
    int n_ended = 0;
    rc = admin_unbind(s, pos[0], at, &n_ended, errbuf);
    if (rc == 0)
        args_say("%s: %d binding%s ended", pos[0], n_ended, n_ended == 1 ? "" : "s");
    return args_done(s, rc, errbuf);
}

static const char import_help[] =
    "usage: flowtally import leases FILE [--lenient] [--db PATH]\n"
    "       flowtally import log squid|plain|mapping FILE [--db PATH] [--classes FILE]\n"
    "                 [--apps FILE] [-c CONFIG] [--KEY VALUE ...]\n"
    "leases: imports ISC dhcpd.leases or a Kea lease CSV (told apart by content). Each\n"
    "lease ties its address to the device's MAC for its interval; `flowtally register`\n"
    "ties the MAC to a subscriber. --lenient skips malformed blocks (reported).\n"
    "log: reads a squid access log, a plain usage log or a mapping log once, as\n"
    "`flowtally run --logs FORMAT:FILE` follows one, and stores its usage; its position is\n"
    "stored with it, so a file imported and later followed is never counted twice. Takes\n"
    "the keys of `flowtally run` (--classes, --apps, ...).\n";

/* `import log FORMAT FILE [run options]`: the daemon's own log path, run once over the
 * file (no sockets), so a file imported and later followed is never counted twice: its
 * position is stored with its usage. */
static int import_log(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(import_help, stdout);
            return 0;
        }
    if (argc < 2)
        return args_usage_error("import log takes FORMAT (squid, plain or mapping) and FILE");
    char logs[600];
    snprintf(logs, sizeof logs, "%s:%s", argv[0], argv[1]);
    char *run_argv[64] = {"--once", "--netflow", "", "--sflow", "", "--radius", "", "--logs", logs};
    int n = 9;
    for (int i = 2; i < argc && n < 63; i++)
        run_argv[n++] = argv[i];
    run_argv[n] = NULL;
    return run_main(n, run_argv);
}

int cmd_import(int argc, char **argv)
{
    static const char *const verbs[] = {"leases", "log", NULL};
    if (argc >= 1 && strcmp(argv[0], "log") == 0)
        return import_log(argc - 1, argv + 1);
    struct arg_opt o[] = {
        {.name = "db"}, {.name = "lenient", .is_flag = true}, {.name = "help", .is_flag = true}};
    const char *pos[2];
    int n = args_parse(argc, argv, o, N(o), pos, 2);
    if (n < 0)
        return 2;
    if (args_get(o, N(o), "help")) {
        fputs(import_help, stdout);
        return 0;
    }
    if (n == 0 || !is_verb(pos[0], verbs))
        return args_bad_verb(n ? pos[0] : NULL, verbs);
    if (n != 2)
        return verb_args("import", pos[0], "FILE");
    char errbuf[ERR_BUF_LEN];
    struct store *s = admin_open(args_db(o, N(o)), errbuf);
    if (!s)
        return args_done(NULL, 1, errbuf);
    uint64_t n_leases, n_skipped;
    bool lenient = args_get(o, N(o), "lenient") != NULL;
    int rc = admin_import_leases(s, pos[1], lenient, &n_leases, &n_skipped, errbuf);
    if (rc == 0) {
        args_say("imported %llu leases from %s, skipped %llu", (unsigned long long)n_leases, pos[1],
                 (unsigned long long)n_skipped);
        if (errbuf[0])
            fprintf(stderr, "flowtally: %s\n", errbuf); /* the first problem, when lenient */
    }
    return args_done(s, rc, errbuf);
}
