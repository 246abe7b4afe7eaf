// SPDX-License-Identifier: MIT
// `flowtally user`: the portal's logins from the command line. Argument parsing, reading a
// password from stdin, and printing; the rules of a user are in admin/users.c. No password
// and no hash is ever printed, not even in a complaint about the command line.
#include "../admin/admin.h"
#include "../admin/users.h"
#include "../auth/login.h"
#include "../auth/password.h"
#include "../base/csv.h"
#include "../base/json.h"
#include "../report/report.h"
#include "argfile.h"
#include "args.h"
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char user_help[] =
    "usage: flowtally user add LOGIN --role customer|staff|admin [--account ACCOUNT]\n"
    "                 [--password-stdin | --password-hash HASH] [--db PATH]\n"
    "       flowtally user set LOGIN [--role customer|staff|admin] [--account ACCOUNT|\"\"]\n"
    "                 [--password-stdin | --password-hash HASH] [--db PATH]\n"
    "       flowtally user remove LOGIN [--db PATH]\n"
    "       flowtally user list [--format table|csv|json] [--db PATH]\n"
    "       flowtally user import FILE [--db PATH]   (each line: the arguments of user add)\n"
    "       flowtally user import FILE --postfixadmin [--account-from email|column]\n"
    "                 [--role customer|staff|admin] [--db PATH]\n"
    "Who may log in to the portal. A LOGIN is an email address or a name (ASCII letters\n"
    "are lowered). A customer sees one subscriber's usage (--account, required); staff\n"
    "and admin see everyone's. --password-stdin reads the password from the first line\n"
    "of stdin (8 to 511 bytes) and stores it hashed with yescrypt; --password-hash takes\n"
    "a crypt(3) string from another system as it is ($y$, $6$, $5$, $1$, $2y$, ..., or\n"
    "Dovecot's {SHA512-CRYPT}$6$... forms). With neither, the user has no password here\n"
    "(for LDAP). A new password ends the user's sessions. Passwords and hashes are never\n"
    "printed: list names each hash's scheme. Removing a subscriber removes its users.\n"
    "An import FILE is stored in one transaction: a bad line is reported as FILE:LINE\n"
    "and nothing of the file is stored; a login that exists is updated. --postfixadmin\n"
    "reads the output of  mysql -B -e \"SELECT username, password FROM mailbox\"  (a\n"
    "third column for --account-from column): each mailbox becomes a user (--role,\n"
    "default customer) whose account is its email address, or the third column; the\n"
    "accounts must exist as subscribers.\n";

/* The options of `user add|set`, first in the command's list and alone on an import line. */
// clang-format off
#define USER_FIELD_OPTS \
    {.name = "role"}, {.name = "account"}, {.name = "password-hash"}, \
    {.name = "password-stdin", .is_flag = true}
// clang-format on
#define USER_ADD_ARGS "LOGIN --role customer|staff|admin [--account ACCOUNT] [--password-hash HASH]"

/* Which options each verb takes (besides --db and --help). */
static const struct {
    const char *verb, *options;
} user_verbs[] = {
    {"add", " role account password-hash password-stdin "},
    {"set", " role account password-hash password-stdin "},
    {"remove", " "},
    {"list", " format "},
    {"import", " postfixadmin account-from role "},
};

/* Whether a word of a command line may be a password hash, which a complaint must not
 * quote (one given without --password-hash before it, or to a misspelt option): crypt(3)
 * strings start with '$', Dovecot's forms with '{'. */
static bool may_be_hash(const char *w)
{
    return w[0] == '$' || w[0] == '{' || strstr(w, "password-hash") != NULL;
}

/* args_parse_msg(), with no word that may_be_hash() quoted in msg. */
static int parse(int argc, char **argv, struct arg_opt *o, size_t n_o, const char **pos,
                 int max_pos, char *msg)
{
    int n = args_parse_msg(argc, argv, o, n_o, pos, max_pos, msg);
    for (int i = 0; n < 0 && i < argc; i++) {
        const char *w = argv[i];
        if (w[0] && may_be_hash(w) && strstr(msg, w))
            snprintf(msg, ERR_BUF_LEN,
                     "an argument out of place or misspelt (not shown: it may be a password "
                     "hash)");
    }
    return n;
}

/* The message for an import line that parse() refused (n < 0, msg saying why) or that has
 * the wrong number of words: what a line holds. */
static int line_usage(char *msg, int n, const char *expected)
{
    char why[ERR_BUF_LEN / 2];
    snprintf(why, sizeof why, "%s", n < 0 ? msg : "");
    snprintf(msg, ERR_BUF_LEN, "%s%sexpected %s", why, why[0] ? ": " : "", expected);
    return ERR_MALFORMED;
}

static struct users_fields user_fields(const struct arg_opt *o)
{
    return (struct users_fields){
        .role = o[0].value, .account = o[1].value, .password_hash = o[2].value};
}

struct user_import {
    uint64_t n_no_password; /* lines leaving their user without a password */
};

/* One line of `user import`: the arguments of `user add`; a login that exists is updated
 * as by `user set`. A password in clear has no place in a file. */
static int user_line(struct store *s, void *ctx, int argc, char **argv, char *msg)
{
    struct user_import *ui = ctx;
    struct arg_opt o[] = {USER_FIELD_OPTS};
    const char *pos[1];
    int n = parse(argc, argv, o, N(o), pos, 1, msg);
    if (n != 1)
        return line_usage(msg, n, USER_ADD_ARGS);
    if (o[3].value) {
        snprintf(msg, ERR_BUF_LEN,
                 "--password-stdin is for the command line: an import line gives "
                 "--password-hash HASH, or no password");
        return ERR_MALFORMED;
    }
    struct users_fields f = user_fields(o);
    bool has_password;
    int rc = users_save(s, pos[0], &f, USERS_ADD_OR_SET, &has_password, msg);
    if (rc == 0 && !has_password)
        ui->n_no_password++;
    return rc;
}

/* Reads the password from the first line of stdin into buf (size bytes), without its line
 * end. stdin is made unbuffered first, so the password is in no buffer but buf, which the
 * caller clears. Returns 0, or 1 after saying what was wrong. */
static int read_password(char *buf, size_t size)
{
    size_t n = 0;
    int ch;
    setvbuf(stdin, NULL, _IONBF, 0);
    while ((ch = getchar()) != EOF && ch != '\n') {
        if (n == size - 1) {
            fprintf(stderr, "flowtally: --password-stdin: the password is longer than %zu bytes\n",
                    size - 2);
            return 1;
        }
        if (ch == '\0') {
            fprintf(stderr, "flowtally: --password-stdin: a NUL byte in the password\n");
            return 1;
        }
        buf[n++] = (char)ch;
    }
    if (n > 0 && buf[n - 1] == '\r')
        n--;
    buf[n] = '\0';
    if (n == 0) {
        fprintf(stderr, "flowtally: --password-stdin: expected the password on the first line "
                        "of stdin, got an empty line\n");
        return 1;
    }
    return 0;
}

/* ---- list ---- */

static const char *const user_columns[] = {"login", "role", "account", "scheme", "created", NULL};

/* One JSON document per line, as `subscriber list`. The password is never printed, only
 * the name of its scheme. */
static void print_user(void *ctx, const struct user *u)
{
    enum report_format *f = ctx;
    const char *scheme = password_scheme_name(u->password);
    char created[32];
    time_t t = (time_t)(u->created_ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(created, sizeof created, *f == REPORT_TABLE ? "%Y-%m-%d" : "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (*f == REPORT_CSV) {
        struct csv c;
        csv_init(&c, stdout);
        csv_text(&c, u->login);
        csv_text(&c, u->role);
        csv_text(&c, u->account);
        csv_text(&c, scheme);
        csv_text(&c, created);
        csv_end_row(&c);
    } else if (*f == REPORT_JSON) {
        struct json j;
        json_init(&j, stdout);
        json_object_begin(&j);
        json_member_str(&j, "login", u->login);
        json_member_str(&j, "role", u->role);
        json_member_str(&j, "account", u->account);
        json_member_str(&j, "scheme", scheme);
        json_member_str(&j, "created", created);
        json_object_end(&j);
        putchar('\n');
    } else
        printf("%-32s %-8s %-16s %-13s %s\n", u->login, u->role, u->account[0] ? u->account : "-",
               scheme, created);
}

static int user_list(struct store *s, const char *format, char *errbuf)
{
    enum report_format fmt = REPORT_TABLE;
    if (!args_format(format, &fmt))
        return args_done(s, 0, errbuf) + 2;
    if (fmt == REPORT_CSV) {
        struct csv c;
        csv_init(&c, stdout);
        csv_header(&c, user_columns);
    } else if (fmt == REPORT_TABLE)
        printf("%-32s %-8s %-16s %-13s %s\n", "login", "role", "account", "scheme", "created");
    return args_done(s, store_user_list(s, print_user, &fmt), errbuf);
}

/* ---- add, set, import ---- */

static int user_save(struct store *s, const char *verb, const char *login, struct arg_opt *o,
                     char *errbuf)
{
    char password[PASSWORD_LEN_MAX + 2]; /* and a CR, before the NUL */
    struct users_fields f = user_fields(o);
    if (o[3].value && o[2].value) {
        args_usage_error("give --password-stdin or --password-hash, not both");
        return args_done(s, 0, errbuf) + 2;
    }
    if (o[3].value && read_password(password, sizeof password) != 0)
        return args_done(s, 0, errbuf) + 1;
    if (o[3].value)
        f.password = password;
    bool has_password;
    int rc =
        users_save(s, login, &f, verb[0] == 'a' ? USERS_ADD : USERS_SET, &has_password, errbuf);
    explicit_bzero(password, sizeof password);
    char norm[sizeof((struct user *)0)->login];
    if (rc == 0 && login_normalise(login, norm, sizeof norm) == 0)
        args_say("user %s %s", norm, verb[0] == 'a' ? "added" : "updated");
    if (rc == 0 && verb[0] == 'a' && !has_password &&
        login_normalise(login, norm, sizeof norm) == 0)
        printf("note: %s has no password here: they can log in once one is set (user set "
               "%s --password-stdin or --password-hash HASH) or LDAP is configured\n",
               norm, norm);
    return args_done(s, rc, errbuf);
}

static int user_import(struct store *s, const char *path, const struct arg_opt *o, size_t n_o,
                       char *errbuf)
{
    const char *from = args_get(o, n_o, "account-from");
    uint64_t n;
    int rc;
    if (!args_get(o, n_o, "postfixadmin")) {
        if (from || args_get(o, n_o, "role")) {
            args_usage_error("user import takes FILE and --db only (and --role and "
                             "--account-from with --postfixadmin); the fields go on each line "
                             "of FILE");
            return args_done(s, 0, errbuf) + 2;
        }
        struct user_import ui = {0};
        rc = argfile_import(s, path, user_line, &ui, &n, errbuf);
        if (rc == 0)
            args_say("imported %llu users from %s", (unsigned long long)n, path);
        if (rc == 0 && ui.n_no_password)
            printf("%llu of them have no password here (for LDAP)\n",
                   (unsigned long long)ui.n_no_password);
        return args_done(s, rc, errbuf);
    }
    enum users_account_from af = USERS_ACCOUNT_EMAIL;
    if (from && strcmp(from, "column") == 0)
        af = USERS_ACCOUNT_COLUMN;
    else if (from && strcmp(from, "email") != 0) {
        args_usage_error("--account-from '%s': expected email or column", from);
        return args_done(s, 0, errbuf) + 2;
    }
    rc = users_import_postfixadmin(s, path, af, args_get(o, n_o, "role"), &n, errbuf);
    if (rc == 0)
        args_say("imported %llu users from %s (postfixadmin mailboxes)", (unsigned long long)n,
                 path);
    return args_done(s, rc, errbuf);
}

/* Whether every option given is one the verb takes; says which is not. */
static bool options_fit(const char *verb, const struct arg_opt *o, size_t n_o)
{
    for (size_t v = 0; v < N(user_verbs); v++) {
        if (strcmp(verb, user_verbs[v].verb) != 0)
            continue;
        for (size_t i = 0; i < n_o; i++) {
            char word[40];
            snprintf(word, sizeof word, " %s ", o[i].name);
            if (o[i].value && strcmp(o[i].name, "db") != 0 &&
                !strstr(user_verbs[v].options, word)) {
                args_usage_error("user %s does not take --%s", verb, o[i].name);
                return false;
            }
        }
        return true;
    }
    static const char *const verbs[] = {"add", "set", "remove", "list", "import", NULL};
    args_bad_verb(may_be_hash(verb) ? "..." : verb, verbs);
    return false;
}

int cmd_user(int argc, char **argv)
{
    struct arg_opt o[] = {USER_FIELD_OPTS,          {.name = "postfixadmin", .is_flag = true},
                          {.name = "account-from"}, {.name = "db"},
                          {.name = "format"},       {.name = "help", .is_flag = true}};
    const char *pos[2];
    char errbuf[ERR_BUF_LEN];
    static const char *const verbs[] = {"add", "set", "remove", "list", "import", NULL};
    if (args_help_asked(argc, argv)) {
        fputs(user_help, stdout);
        return 0;
    }
    int n = parse(args_take_quiet(argc, argv), argv, o, N(o), pos, 2, errbuf);
    if (n < 0)
        return args_usage_error("%s", errbuf);
    if (n == 0)
        return args_bad_verb(NULL, verbs);
    const char *verb = pos[0];
    if (!options_fit(verb, o, N(o)))
        return 2;
    if (n != (strcmp(verb, "list") == 0 ? 1 : 2))
        return args_usage_error("user %s takes %s", verb,
                                strcmp(verb, "list") == 0     ? "no LOGIN"
                                : strcmp(verb, "import") == 0 ? "FILE"
                                                              : "LOGIN");
    struct store *s = admin_open(args_db(o, N(o)), errbuf);
    if (!s)
        return args_done(NULL, 1, errbuf);
    if (strcmp(verb, "list") == 0)
        return user_list(s, args_get(o, N(o), "format"), errbuf);
    if (strcmp(verb, "remove") == 0) {
        int rc = users_remove(s, pos[1], errbuf);
        char norm[sizeof((struct user *)0)->login];
        if (rc == 0 && login_normalise(pos[1], norm, sizeof norm) == 0)
            args_say("user %s removed", norm);
        return args_done(s, rc, errbuf);
    }
    if (strcmp(verb, "import") == 0)
        return user_import(s, pos[1], o, N(o), errbuf);
    return user_save(s, verb, pos[1], o, errbuf);
}
