// SPDX-License-Identifier: MIT
// `flowtally bill` and its subcommands: close, preview, late, rerate, export, show.
// Argument parsing, the billing keys of the configuration file, and printing; the rules
// are in billing/, the printable invoice in print/.
#include "../alert/invoice_mail.h"
#include "../base/err.h"
#include "../base/units.h"
#include "../billing/bill.h"
#include "../billing/export.h"
#include "../config/config.h"
#include "../print/print.h"
#include "../report/report.h"
#include "args.h"
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void bill_help(FILE *out)
{
    fprintf(out,
            "usage: flowtally bill close --cycle YYYY-MM       issue the month's invoices\n"
            "       flowtally bill preview [--cycle YYYY-MM] [--subscriber ACCOUNT]\n"
            "       flowtally bill late --cycle YYYY-MM        usage that came after invoicing\n"
            "       flowtally bill rerate --cycle YYYY-MM      credit/debit notes for changes\n"
            "       flowtally bill export --cycle YYYY-MM [--format csv|json] [--lines]\n"
            "       flowtally bill show INVOICE|ACCOUNT [--cycle YYYY-MM] --format html|pdf\n"
            "                           -o FILE\n"
            "Every form takes -c FILE (the configuration: timezone, currency, tax_rate,\n"
            "billing_unit, operator_name, operator_address, web_logo, db) and --db PATH.\n"
            "YYYY-MM names the cycles that start in that local month. INVOICE: 42, or C-3 /\n"
            "D-1 for a credit or debit note. With invoice_mail = 1 (and mail_from,\n"
            "mail_templates) close and rerate queue each document issued for its subscriber's\n"
            "email, with its PDF, and list them (mail: ...).\n");
}

/* The billing keys: the configuration file's, --db overriding its db. */
struct bill_setup {
    struct config cfg;
    struct bill_options o;
    const char *db;
};

static int setup(struct bill_setup *b, const struct arg_opt *o, size_t n, char *errbuf)
{
    config_init(&b->cfg);
    const char *file = args_get(o, n, "config");
    int rc = file ? config_load_file(&b->cfg, file, errbuf) : 0;
    if (rc == 0)
        rc = config_validate(&b->cfg, errbuf);
    if (rc == 0)
        rc = config_apply_timezone(&b->cfg, errbuf);
    int64_t tax = 0;
    if (rc == 0 && config_tax_rate_micro(&b->cfg, &tax) != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "tax_rate '%s': expected a percentage", b->cfg.tax_rate);
        rc = ERR_CONFIG;
    }
    if (rc == 0 && b->cfg.invoice_mail && !b->cfg.mail_from[0]) {
        snprintf(errbuf, ERR_BUF_LEN,
                 "invoice_mail = 1 needs mail_from, the address invoices "
                 "are mailed from");
        rc = ERR_CONFIG;
    }
    b->db = args_get(o, n, "db") ? args_get(o, n, "db") : b->cfg.db;
    b->o = (struct bill_options){.unit = b->cfg.billing_unit,
                                 .tax_rate_micro = tax,
                                 .currency = b->cfg.currency,
                                 .now_ms = args_now_ms(),
                                 .progress = isatty(STDERR_FILENO)};
    return rc;
}

/* --cycle YYYY-MM into year and month. */
static bool parse_cycle(const char *s, int *year, int *month)
{
    int n = 0;
    if (s && sscanf(s, "%4d-%2d%n", year, month, &n) == 2 && s[n] == '\0' && *year >= 1970 &&
        *month >= 1 && *month <= 12)
        return true;
    args_usage_error("--cycle '%s': expected YYYY-MM, the month the cycles start in", s ? s : "");
    return false;
}

static void print_line(const struct invoice_line *l)
{
    char price[32], amount[32];
    printf("  %-56.56s %14s x %10s = %10s\n", l->text, l->quantity,
           units_format_money(l->unit_price_micro, price),
           units_format_cents(l->amount_cents, amount));
}

static void print_totals(int64_t sub, int64_t tax, int64_t total, const char *currency)
{
    char a[32], b[32], c[32];
    printf("  %-56s %39s\n  %-56s %39s\n  %-56s %35s %s\n", "subtotal", units_format_cents(sub, a),
           "tax", units_format_cents(tax, b), "total", units_format_cents(total, c), currency);
}

static void preview_one(void *ctx, const struct subscriber *sub, const struct cycle *c,
                        const struct rating *g)
{
    const struct bill_options *o = ctx;
    char from[11], to[11], used[32], quota[32];
    printf("%s (%s) plan %s, cycle %s to %s: used %s of %s\n", sub->account, sub->name,
           g->plan[0] ? g->plan : "none", rate_local_date(c->start_ms, from),
           rate_local_date(c->end_ms - 1, to), units_format_bytes(g->used_bytes, used),
           g->unlimited ? "unlimited" : units_format_bytes(g->quota_bytes, quota));
    for (size_t i = 0; i < g->n_lines; i++)
        print_line(&g->lines[i]);
    print_totals(g->subtotal_cents, g->tax_cents, g->total_cents, o->currency);
}

static void late_one(void *ctx, const struct bill_late_row *r)
{
    (void)ctx;
    printf("%s,%s,%s,%llu\n", r->account, r->cycle, r->class_name, (unsigned long long)r->bytes);
}

static void print_result(const char *what, const struct bill_result *r, const char *currency)
{
    char total[32];
    printf("%s: %zu issued (%s %s), %zu already done, %zu not ended, %zu without a plan, "
           "%zu late lines\n",
           what, r->n_issued, units_format_cents(r->total_cents, total), currency, r->n_already,
           r->n_not_ended, r->n_no_plan, r->n_late);
}

/* ---- show ---- */

struct doc {
    struct invoice_row inv;
    struct invoice_line *lines;
    size_t n_lines;
    struct print_class *classes;
    size_t n_classes;
    struct print_day *days;
    size_t n_days;
};

static void add_line(void *ctx, const struct invoice_line *l)
{
    struct doc *d = ctx;
    d->lines = realloc(d->lines, (d->n_lines + 1) * sizeof *d->lines);
    if (d->lines)
        d->lines[d->n_lines++] = *l;
}

static void add_class(void *ctx, const struct invoice_usage *u)
{
    struct doc *d = ctx;
    if (u->invoice_id != d->inv.id || strcmp(u->cycle, d->inv.cycle) != 0)
        return;
    d->classes = realloc(d->classes, (d->n_classes + 1) * sizeof *d->classes);
    if (!d->classes)
        return;
    struct print_class *c = &d->classes[d->n_classes++];
    snprintf(c->name, sizeof c->name, "%s", u->class_name);
    c->bytes = u->bytes;
}

static void pick_invoice(void *ctx, const struct invoice_row *inv)
{
    struct invoice_row *out = ctx;
    *out = *inv;
}

/* The document `what` names: a number, or an account's invoice of --cycle. */
static int find_doc(struct store *s, const char *what, const char *cycle, struct doc *d,
                    char *errbuf)
{
    if (export_find(s, what, &d->inv) == 0)
        return 0;
    struct subscriber sub;
    if (!cycle || store_subscriber_get(s, what, &sub) != 0) {
        snprintf(errbuf, ERR_BUF_LEN,
                 "'%s': no such invoice number, nor a subscriber's account with --cycle", what);
        return ERR_NOT_FOUND;
    }
    struct invoice_query q = {.cycle = cycle, .subscriber_id = sub.id, .kind = "invoice"};
    d->inv.id = 0;
    if (store_invoice_list(s, &q, pick_invoice, &d->inv) != 0 || d->inv.id == 0) {
        snprintf(errbuf, ERR_BUF_LEN, "%s has no invoice for %s (bill close --cycle %s)", what,
                 cycle, cycle);
        return ERR_NOT_FOUND;
    }
    return 0;
}

/* ---- invoice_mail: queueing what close and rerate issued ---- */

static void print_mailed(void *ctx, const struct invoice_row *inv, enum invoice_mail_outcome what,
                         const char *to, const char *why)
{
    const uint64_t *issued_now_ms = ctx;
    char number[32];
    export_number(inv, number);
    if (what == INVOICE_MAIL_QUEUED)
        printf("mail: %s %s of %s queued to %s\n", inv->kind, number, inv->account, to);
    else if (what == INVOICE_MAIL_NO_EMAIL && inv->issued_ms != *issued_now_ms)
        return; /* said when it was issued: not at every close */
    else if (what == INVOICE_MAIL_ALREADY)
        printf("mail: %s %s of %s queued by another process meanwhile\n", inv->kind, number,
               inv->account);
    else
        printf("mail: %s %s of %s not mailed: %s\n", inv->kind, number, inv->account,
               what == INVOICE_MAIL_NO_EMAIL ? "no email address" : why);
}

/* With invoice_mail on, queues the documents just issued (and any other issued since it
 * was turned on and not mailed yet), as the daemon's alert thread would at its next round,
 * and lists each on stdout; one without an address only when this command issued it. */
static int mail_issued(struct bill_setup *b, struct store *s, char *errbuf)
{
    if (!b->cfg.invoice_mail)
        return 0;
    uint64_t since_ms;
    struct message_texts t;
    int rc = invoice_mail_since(s, b->o.now_ms, &since_ms);
    if (rc != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "invoice mail: %s", s->ops->last_error(s));
        return rc;
    }
    if (message_texts_load(MESSAGE_INVOICE, b->cfg.mail_templates, &t, errbuf) != 0)
        return ERR_CONFIG;
    const char *at = strchr(b->cfg.mail_from, '@');
    struct invoice_mail im = {
        .texts = &t,
        .from = {b->cfg.operator_name, b->cfg.mail_from, at ? at + 1 : "localhost"},
        .op = {b->cfg.operator_name, b->cfg.operator_address, b->cfg.web_logo}};
    struct invoice_mail_counts n = {0};
    rc = invoice_mail_round(s, &im, b->o.now_ms, &n, print_mailed, &b->o.now_ms, errbuf);
    message_texts_free(&t);
    return rc;
}

static int show(struct bill_setup *b, const char *what, const char *cycle, const char *format,
                const char *path, char *errbuf)
{
    struct store *s = store_open(b->db, true, errbuf);
    if (!s)
        return ERR_STORE;
    report_note_demo(s, stderr);
    struct doc d = {0};
    int rc = find_doc(s, what, cycle, &d, errbuf);
    if (rc == 0 && (store_invoice_lines(s, d.inv.id, add_line, &d) != 0 ||
                    store_invoice_usage_list(s, d.inv.subscriber_id, add_class, &d) != 0)) {
        snprintf(errbuf, ERR_BUF_LEN, "reading invoice: %s", s->ops->last_error(s));
        rc = ERR_STORE;
    }
    struct export_day *days = NULL;
    size_t n_days = 0;
    if (rc == 0)
        rc = export_days(s, &d.inv, &days, &n_days, errbuf);
    if (rc == 0) {
        d.days = calloc(n_days ? n_days : 1, sizeof *d.days);
        for (size_t i = 0; d.days && i < n_days; i++) {
            snprintf(d.days[i].date, sizeof d.days[i].date, "%s", days[i].date);
            d.days[i].bytes_in = days[i].bytes_in;
            d.days[i].bytes_out = days[i].bytes_out;
        }
        d.n_days = d.days ? n_days : 0;
        struct print_invoice p = {
            .inv = &d.inv,
            .lines = d.lines,
            .n_lines = d.n_lines,
            .classes = d.classes,
            .n_classes = d.n_classes,
            .days = d.days,
            .n_days = d.n_days,
            .op = {b->cfg.operator_name, b->cfg.operator_address, b->cfg.web_logo},
            .is_demo = report_is_demo(s)};
        if (strcmp(format, "pdf") == 0)
            rc = print_invoice_pdf(path, &p, errbuf);
        else {
            FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
            if (!f) {
                snprintf(errbuf, ERR_BUF_LEN, "%s: cannot write it", path);
                rc = ERR_CONFIG;
            } else {
                rc = print_invoice_html(f, &p, errbuf);
                if (f != stdout && fclose(f) != 0 && rc == 0) {
                    snprintf(errbuf, ERR_BUF_LEN, "%s: write failed", path);
                    rc = ERR_CONFIG;
                }
            }
        }
    }
    free(days);
    free(d.lines);
    free(d.classes);
    free(d.days);
    store_close(s);
    return rc;
}

int cmd_bill(int argc, char **argv)
{
    static const char *const verbs[] = {"close",  "preview", "late", "rerate",
                                        "export", "show",    NULL};
    if (args_help_asked(argc, argv) || (argc >= 1 && strcmp(argv[0], "help") == 0)) {
        bill_help(stdout);
        return 0;
    }
    argc = args_take_quiet(argc, argv);
    bool is_known = false;
    for (size_t i = 0; argc >= 1 && verbs[i]; i++)
        is_known |= strcmp(argv[0], verbs[i]) == 0;
    if (!is_known)
        return args_bad_verb(argc >= 1 ? argv[0] : NULL, verbs);
    const char *sub = argv[0];
    struct arg_opt o[] = {{.name = "config"},
                          {.name = "db"},
                          {.name = "cycle"},
                          {.name = "subscriber"},
                          {.name = "format"},
                          {.name = "output"},
                          {.name = "lines", .is_flag = true},
                          {.name = "help", .is_flag = true}};
    /* -c FILE and -o FILE, as `run` and every compiler spell them */
    char **args = calloc((size_t)argc, sizeof *args);
    if (!args)
        return 1;
    for (int i = 1; i < argc; i++)
        args[i - 1] = strcmp(argv[i], "-c") == 0   ? "--config"
                      : strcmp(argv[i], "-o") == 0 ? "--output"
                                                   : argv[i];
    const char *pos[1];
    int n_pos = args_parse(argc - 1, args, o, N(o), pos, 1);
    free(args);
    if (n_pos < 0)
        return 2;
    if (args_get(o, N(o), "help")) {
        bill_help(stdout);
        return 0;
    }
    char errbuf[ERR_BUF_LEN] = "";
    struct bill_setup b;
    int rc = setup(&b, o, N(o), errbuf);
    if (rc != 0) {
        config_deinit(&b.cfg);
        return args_done(NULL, rc, errbuf);
    }
    const char *cycle = args_get(o, N(o), "cycle"), *format = args_get(o, N(o), "format");
    int year = 0, month = 0, status = 2;
    bool needs_cycle = strcmp(sub, "close") == 0 || strcmp(sub, "late") == 0 ||
                       strcmp(sub, "rerate") == 0 || strcmp(sub, "export") == 0;
    if ((needs_cycle || cycle) && !parse_cycle(cycle, &year, &month))
        goto out;
    if (strcmp(sub, "show") == 0) {
        const char *path = args_get(o, N(o), "output");
        if (n_pos != 1 || !format || (strcmp(format, "html") && strcmp(format, "pdf")) || !path) {
            args_usage_error("expected bill show INVOICE|ACCOUNT [--cycle YYYY-MM] --format "
                             "html|pdf -o FILE");
            goto out;
        }
        status = args_done(NULL, show(&b, pos[0], cycle, format, path, errbuf), errbuf);
        goto out;
    }
    if (n_pos != 0) {
        args_usage_error("bill %s takes no '%s'", sub, pos[0]);
        goto out;
    }
    bool json = format && strcmp(format, "json") == 0;
    if (format && !json && strcmp(format, "csv") != 0) {
        args_usage_error("--format '%s': expected csv or json", format);
        goto out;
    }
    bool writes = strcmp(sub, "close") == 0 || strcmp(sub, "rerate") == 0;
    struct store *s = NULL;
    s = store_open(b.db, !writes, errbuf);
    if (!s) {
        status = args_done(NULL, ERR_STORE, errbuf);
        goto out;
    }
    report_note_demo(s, stderr);
    struct bill_result res;
    if (strcmp(sub, "close") == 0) {
        rc = bill_close(s, year, month, &b.o, &res, errbuf);
        if (rc == 0)
            print_result(cycle, &res, b.o.currency);
        if (rc == 0)
            rc = mail_issued(&b, s, errbuf);
    } else if (strcmp(sub, "rerate") == 0) {
        rc = bill_rerate(s, year, month, &b.o, &res, errbuf);
        if (rc == 0)
            print_result(cycle, &res, b.o.currency);
        if (rc == 0)
            rc = mail_issued(&b, s, errbuf);
    } else if (strcmp(sub, "preview") == 0)
        rc = bill_preview(s, args_get(o, N(o), "subscriber"), year, month, &b.o, preview_one, &b.o,
                          errbuf);
    else if (strcmp(sub, "late") == 0) {
        printf("subscriber,cycle,class,bytes\n");
        rc = bill_late(s, year, month, &b.o, late_one, NULL, errbuf);
    } else
        rc = export_invoices(s, cycle, json, args_get(o, N(o), "lines") != NULL, stdout, errbuf);
    status = args_done(s, rc, errbuf);
out:
    config_deinit(&b.cfg);
    return status;
}
