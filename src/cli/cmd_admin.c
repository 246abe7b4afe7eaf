// SPDX-License-Identifier: MIT
// `flowtally plan`, `subscriber`, `bind`, `unbind` and `register`: argument parsing and
// printing; validation and storage are in admin/.
#include "../admin/admin.h"
#include "../base/csv.h"
#include "../base/json.h"
#include "../base/units.h"
#include "../report/report.h"
#include "argfile.h"
#include "args.h"
#include "cli.h"
#include "../daemon/run.h"

#include <stdio.h>
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
        printf("imported %llu %s from %s\n", (unsigned long long)n, what, path);
    return rc;
}

/* ---- plans ---- */

/* The plan columns of CSV and JSON, in output order. */
static const char *const plan_columns[] = {"name",           "quota_bytes", "quota_dirs", "price",
                                           "overage_per_gb", "anchor_day",  "speed",      NULL};

/* CSV and JSON carry the quota in bytes: "" (CSV) or null (JSON) when unlimited. One JSON
 * document per line; the speed is free text, always quoted in CSV. */
static void print_plan(void *ctx, const struct plan *p)
{
    enum report_format *f = ctx;
    char quota[32], price[32], over[32];
    if (p->unlimited)
        snprintf(quota, sizeof quota, "%s", *f == REPORT_TABLE ? "unlimited" : "");
    else if (*f == REPORT_TABLE)
        report_human_bytes(p->quota_bytes, quota);
    else
        snprintf(quota, sizeof quota, "%llu", (unsigned long long)p->quota_bytes);
    units_format_money(p->price_micro, price);
    units_format_money(p->overage_micro_per_gb, over);
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
        json_object_end(&j);
        putchar('\n');
    } else
        printf("%-16s %12s %-5s %10s %10s %6d  %s\n", p->name, quota, p->quota_dirs, price, over,
               p->anchor_day, p->speed);
}

static void plan_help(FILE *out)
{
    fprintf(out,
            "usage: flowtally plan add|set NAME [--quota SIZE|unlimited] [--dirs in|out|both]\n"
            "                 [--price MONEY] [--overage MONEY_PER_GB] [--speed TEXT]\n"
            "                 [--anchor DAY] [--db PATH]\n"
            "       flowtally plan list [--format table|csv|json] [--db PATH]\n"
            "       flowtally plan remove NAME [--db PATH]\n"
            "       flowtally plan import FILE [--db PATH]   (each line: the arguments of "
            "plan add)\n"
            "SIZE: 15GB, 500MiB (GB = 10^9 bytes, GiB = 2^30). MONEY: 25.00. DAY: 1..28, the\n"
            "day of the month a cycle starts. --dirs: what counts toward the quota.\n");
}

/* The options of `plan add|set`, first in the command's list and alone on an import line. */
// clang-format off
#define PLAN_FIELD_OPTS \
    {.name = "quota"}, {.name = "dirs"}, {.name = "price"}, {.name = "overage"}, \
    {.name = "speed"}, {.name = "anchor"}
// clang-format on
#define PLAN_ADD_ARGS "NAME [--quota SIZE|unlimited] [--dirs in|out|both] [--price MONEY] [...]"

static struct plan_fields plan_fields(const struct arg_opt *o)
{
    return (struct plan_fields){o[0].value, o[1].value, o[2].value,
                                o[3].value, o[4].value, o[5].value};
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

int cmd_plan(int argc, char **argv)
{
    struct arg_opt o[] = {
        PLAN_FIELD_OPTS, {.name = "db"}, {.name = "format"}, {.name = "help", .is_flag = true}};
    const char *pos[2];
    int n = args_parse(argc, argv, o, N(o), pos, 2);
    if (n < 0)
        return 2;
    if (args_get(o, N(o), "help") || n == 0) {
        plan_help(n == 0 ? stderr : stdout);
        return n == 0 ? 2 : 0;
    }
    char errbuf[ERR_BUF_LEN];
    struct store *s = admin_open(args_db(o, N(o)), errbuf);
    if (!s)
        return args_done(NULL, 1, errbuf);
    const char *verb = pos[0];
    struct plan_fields f = plan_fields(o);
    if (strcmp(verb, "list") == 0) {
        enum report_format fmt = REPORT_TABLE;
        if (!args_format(args_get(o, N(o), "format"), &fmt))
            return args_done(s, 0, errbuf) + 2;
        if (fmt == REPORT_CSV) {
            struct csv c;
            csv_init(&c, stdout);
            csv_header(&c, plan_columns);
        } else if (fmt == REPORT_TABLE)
            printf("%-16s %12s %-5s %10s %10s %6s  %s\n", "plan", "quota", "dirs", "price",
                   "over/GB", "anchor", "speed");
        return args_done(s, store_plan_list(s, print_plan, &fmt), errbuf);
    }
    if (n != 2) {
        plan_help(stderr);
        return args_done(s, 0, errbuf) + 2;
    }
    if (strcmp(verb, "add") == 0 || strcmp(verb, "set") == 0)
        return args_done(s, admin_plan_save(s, pos[1], &f, verb[0] == 'a', errbuf), errbuf);
    if (strcmp(verb, "remove") == 0)
        return args_done(s, store_plan_remove(s, pos[1], errbuf), errbuf);
    if (strcmp(verb, "import") == 0)
        return args_done(s, import_file(s, pos[1], plan_line, NULL, NULL, errbuf), errbuf);
    plan_help(stderr);
    return args_done(s, 0, errbuf) + 2;
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
            "                 [--plan PLAN] [--status active|suspended|closed] [--notes TEXT]\n"
            "       flowtally subscriber list [--format table|csv|json]\n"
            "       flowtally subscriber show ACCOUNT\n"
            "       flowtally subscriber remove ACCOUNT   (usage rows stay, shown as removed)\n"
            "       flowtally subscriber import FILE\n"
            "All take --db PATH. Each line of an import FILE holds the arguments of subscriber\n"
            "add (\"double quotes\" group words, # starts a comment); an account that exists\n"
            "is updated as by subscriber set. The whole file is stored in one transaction:\n"
            "a bad line is reported as FILE:LINE and nothing of the file is stored.\n");
}

/* The options of `subscriber add|set`, first in the command's list and alone on an import
 * line, so both go through subscriber_fields() and admin_subscriber_save(). */
// clang-format off
#define SUBSCRIBER_FIELD_OPTS \
    {.name = "name"}, {.name = "email"}, {.name = "plan"}, {.name = "status"}, {.name = "notes"}
// clang-format on
#define N_SUBSCRIBER_FIELDS 5
#define SUBSCRIBER_ADD_ARGS                                                                        \
    "ACCOUNT [--name TEXT] [--email ADDR] [--plan PLAN] [--status active|suspended|closed] "       \
    "[--notes TEXT]"

static struct subscriber_fields subscriber_fields(const struct arg_opt *o)
{
    return (struct subscriber_fields){o[0].value, o[1].value, o[2].value, o[3].value, o[4].value};
}

/* One line of `subscriber import`: the arguments of `subscriber add`; an account that
 * exists is updated with the fields given, as by `subscriber set`. */
static int subscriber_line(struct store *s, void *ctx, int argc, char **argv, char *msg)
{
    struct arg_opt o[] = {SUBSCRIBER_FIELD_OPTS};
    const char *pos[1];
    (void)ctx;
    int n = args_parse_msg(argc, argv, o, N(o), pos, 1, msg);
    if (n != 1)
        return line_usage(msg, n, SUBSCRIBER_ADD_ARGS);
    struct subscriber_fields f = subscriber_fields(o);
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
    if (args_get(o, N(o), "help") || n == 0) {
        subscriber_help(n == 0 ? stderr : stdout);
        return n == 0 ? 2 : 0;
    }
    char errbuf[ERR_BUF_LEN];
    struct store *s = admin_open(args_db(o, N(o)), errbuf);
    if (!s)
        return args_done(NULL, 1, errbuf);
    const char *verb = pos[0];
    if (strcmp(verb, "list") == 0) {
        enum report_format fmt = REPORT_TABLE;
        if (!args_format(args_get(o, N(o), "format"), &fmt))
            return args_done(s, 0, errbuf) + 2;
        if (fmt == REPORT_CSV) {
            struct csv c;
            csv_init(&c, stdout);
            csv_header(&c, subscriber_columns);
        } else if (fmt == REPORT_TABLE)
            printf("%-16s %-24s %-28s %-12s %s\n", "account", "name", "email", "plan", "status");
        return args_done(s, store_subscriber_list(s, print_subscriber, &fmt), errbuf);
    }
    if (n != 2) {
        subscriber_help(stderr);
        return args_done(s, 0, errbuf) + 2;
    }
    const char *account = pos[1];
    if (strcmp(verb, "add") == 0 || strcmp(verb, "set") == 0) {
        struct subscriber_fields f = subscriber_fields(o);
        return args_done(s, admin_subscriber_save(s, account, &f, verb[0] == 'a', errbuf), errbuf);
    }
    if (strcmp(verb, "import") == 0) {
        if (any_given(o, N_SUBSCRIBER_FIELDS)) {
            fprintf(stderr, "flowtally: subscriber import takes FILE and --db only; the fields "
                            "go on each line of FILE\n");
            return args_done(s, 0, errbuf) + 2;
        }
        return args_done(s, import_file(s, pos[1], subscriber_line, NULL, "subscribers", errbuf),
                         errbuf);
    }
    if (strcmp(verb, "remove") == 0)
        return args_done(s, store_subscriber_remove(s, account, errbuf), errbuf);
    if (strcmp(verb, "show") == 0) {
        struct subscriber sub;
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
    subscriber_help(stderr);
    return args_done(s, 0, errbuf) + 2;
}

/* ---- bindings ---- */

/* Parses argv for a command taking exactly `want` positional words. Returns -1 to go on,
 * or the exit status after printing the help: 0 when it was asked for (--help), 2 on a usage
 * error. */
static int parse_exact(int argc, char **argv, struct arg_opt *o, size_t n_o, const char **pos,
                       int want, const char *help)
{
    int n = args_parse(argc, argv, o, n_o, pos, want);
    bool asked = args_get(o, n_o, "help") != NULL;
    if (n == want && !asked)
        return -1;
    fputs(help, asked ? stdout : stderr);
    return asked ? 0 : 2;
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
    int rc = parse_exact(argc, argv, o, N(o), pos, 2, bind_help);
    if (rc >= 0)
        return rc;
    char errbuf[ERR_BUF_LEN];
    struct bind_import bi = {.now = args_now_ms()};
    bool import = is_import(pos);
    struct bind_req r;
    if (import && any_given(o, N_BIND_OPTS)) {
        fprintf(stderr, "flowtally: bind import takes FILE and --db only; --from, --to and "
                        "--wide go on each line of FILE\n");
        return 2;
    }
    if (!import && bind_request(o, pos, bi.now, &r, errbuf) != 0) {
        fprintf(stderr, "flowtally: %s\n", errbuf);
        return 2;
    }
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
    return bound(s,
                 admin_bind_wide(s, r.account, r.what, r.from, r.to, "static", r.is_wide, errbuf),
                 errbuf);
}

int cmd_register(int argc, char **argv)
{
    struct arg_opt o[] = {{.name = "from"}, {.name = "db"}, {.name = "help", .is_flag = true}};
    const char *pos[2];
    int rc = parse_exact(argc, argv, o, N(o), pos, 2,
                         "usage: flowtally register MAC ACCOUNT [--from TIME] [--db PATH]\n"
                         "Registers a device's MAC to the account; DHCP leases then map its "
                         "addresses.\n");
    if (rc >= 0)
        return rc;
    uint64_t from;
    if (!args_time("from", args_get(o, N(o), "from"), args_now_ms(), &from))
        return 2;
    uint8_t mac[6];
    if (units_parse_mac(pos[0], mac) != 0) {
        fprintf(stderr, "flowtally: '%s': expected a MAC address such as aa:bb:cc:dd:ee:ff\n",
                pos[0]);
        return 2;
    }
    char errbuf[ERR_BUF_LEN];
    struct store *s = admin_open(args_db(o, N(o)), errbuf);
    if (!s)
        return args_done(NULL, 1, errbuf);
    return bound(s, admin_bind(s, pos[1], pos[0], from, 0, "register", errbuf), errbuf);
}

int cmd_unbind(int argc, char **argv)
{
    struct arg_opt o[] = {{.name = "at"}, {.name = "db"}, {.name = "help", .is_flag = true}};
    const char *pos[1];
    int rc = parse_exact(argc, argv, o, N(o), pos, 1,
                         "usage: flowtally unbind ADDRESS|PREFIX|MAC [--at TIME] [--db PATH]\n"
                         "Ends the open bindings of the address, prefix or MAC at TIME (default "
                         "now).\n");
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
    return args_done(s, admin_unbind(s, pos[0], at, &n_ended, errbuf), errbuf);
}

/* `import log FORMAT FILE [run options]`: the daemon's own log path, run once over the
 * file (no sockets), so a file imported and later followed is never counted twice: its
 * position is stored with its usage. */
static int import_log(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: flowtally import log squid|plain|mapping FILE [--db PATH] "
                        "[--classes FILE] [--apps FILE] [-c CONFIG]\n");
        return 2;
    }
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
    if (argc >= 1 && strcmp(argv[0], "log") == 0)
        return import_log(argc - 1, argv + 1);
    struct arg_opt o[] = {
        {.name = "db"}, {.name = "lenient", .is_flag = true}, {.name = "help", .is_flag = true}};
    const char *pos[2];
    int n = args_parse(argc, argv, o, N(o), pos, 2);
    if (n != 2 || strcmp(pos[0], "leases") != 0 || args_get(o, N(o), "help")) {
        fprintf(n == 2 ? stdout : stderr,
                "usage: flowtally import leases FILE [--lenient] [--db PATH]\n"
                "       flowtally import log squid|plain|mapping FILE [--db PATH] [...]\n"
                "Imports ISC dhcpd.leases or a Kea lease CSV (told apart by content). Each lease\n"
                "ties its address to the device's MAC for its interval; `flowtally register`\n"
                "ties the MAC to a subscriber. --lenient skips malformed blocks (reported).\n");
        return n == 2 && args_get(o, N(o), "help") ? 0 : 2;
    }
    char errbuf[ERR_BUF_LEN];
    struct store *s = admin_open(args_db(o, N(o)), errbuf);
    if (!s)
        return args_done(NULL, 1, errbuf);
    uint64_t n_leases, n_skipped;
    bool lenient = args_get(o, N(o), "lenient") != NULL;
    int rc = admin_import_leases(s, pos[1], lenient, &n_leases, &n_skipped, errbuf);
    if (rc == 0) {
        printf("imported %llu leases from %s, skipped %llu\n", (unsigned long long)n_leases, pos[1],
               (unsigned long long)n_skipped);
        if (errbuf[0])
            fprintf(stderr, "flowtally: %s\n", errbuf); /* the first problem, when lenient */
    }
    return args_done(s, rc, errbuf);
}
