// SPDX-License-Identifier: MIT
// A user is checked whole here before the store sees it: the store only refuses what does
// not fit its rows or names a missing subscriber, while the rules a person must be told
// about (which role, a customer's account, which passwords) are this file's. Passwords in
// clear live only in the caller's buffer and password_hash()'s; messages name the field
// and the reason, never the text of a password or a hash.
#include "users.h"

#include "../auth/login.h"
#include "../auth/password.h"
#include "../base/lines.h"
#include "../base/utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define USERS_LOGIN_SIZE sizeof(((struct user *)0)->login)
_Static_assert(PASSWORD_HASH_MAX <= sizeof(((struct user *)0)->password), "a hash fits a user");

static bool is_role(const char *role)
{
    return strcmp(role, "customer") == 0 || strcmp(role, "staff") == 0 ||
           strcmp(role, "admin") == 0;
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

__attribute__((format(printf, 2, 3))) static int refuse(char *errbuf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errbuf, ERR_BUF_LEN, fmt, ap);
    va_end(ap);
    return ERR_MALFORMED;
}

/* The login as the store keeps it, into out (USERS_LOGIN_SIZE bytes); what names it in a
 * message. A login that is not text is not echoed: it would reach a terminal. */
static int normalise(const char *login, char *out, const char *what, char *errbuf)
{
    char why[96];
    if (login_normalise(login, out, USERS_LOGIN_SIZE) == 0)
        return 0;
    if (!utf8_is_text(login, why, sizeof why))
        return refuse(errbuf, "%s: %s", what, why);
    return refuse(errbuf, "%s '%.140s': expected 1 to %zu bytes of text", what, login,
                  USERS_LOGIN_SIZE - 1);
}

/* The text to store for the password f gives (in clear, or a hash), into out
 * (PASSWORD_HASH_MAX bytes). */
static int password_text(const struct users_fields *f, char *out, char *errbuf)
{
    char why[ERR_BUF_LEN];
    if (f->password) {
        if (password_check_new(f->password, why) != 0)
            return refuse(errbuf, "password refused: %.900s", why);
        int rc = password_hash(f->password, out, why);
        if (rc != 0)
            snprintf(errbuf, ERR_BUF_LEN, "cannot hash the password: %.900s", why);
        return rc;
    }
    /* The reasons of password_hash_is_known() name a scheme or a length, not the hash. */
    if (!password_hash_is_known(f->password_hash, why))
        return refuse(errbuf, "the password hash cannot be used: %.900s", why);
    snprintf(out, PASSWORD_HASH_MAX, "%s", f->password_hash);
    return 0;
}

/* Applies f's role and account to u, and says what a customer lacks. */
static int apply_fields(struct user *u, const struct users_fields *f, char *errbuf)
{
    char why[96];
    if (f->role) {
        if (!is_role(f->role))
            return refuse(errbuf, "--role '%.40s': expected customer, staff or admin",
                          utf8_is_text(f->role, why, sizeof why) ? f->role : "?");
        snprintf(u->role, sizeof u->role, "%s", f->role);
    }
    if (f->account) {
        if (!utf8_is_text(f->account, why, sizeof why))
            return refuse(errbuf, "--account: %s", why);
        if (strlen(f->account) >= sizeof u->account)
            return refuse(errbuf, "--account: an account has at most %zu bytes",
                          sizeof u->account - 1);
        snprintf(u->account, sizeof u->account, "%s", f->account);
    }
    if (strcmp(u->role, "customer") == 0 && !u->account[0])
        return refuse(errbuf, "a customer needs an account (--account): the subscriber whose "
                              "usage they see");
    return 0;
}

/* What users_save() asks of the store, run in one transaction. */
struct save {
    struct user u; /* login normalised, password text when one is given */
    const struct users_fields *f;
    enum users_mode mode;
    bool has_new_password;
    char *errbuf;
};

/* Reads the user, applies the fields, writes it back, and ends its sessions when the
 * password changed: one transaction, so a new password never stands beside the sessions
 * of the old one. */
static int save_user(struct store *s, void *ctx)
{
    struct save *sv = ctx;
    struct user *u = &sv->u, old;
    int rc = store_user_get(s, u->login, &old);
    if (rc != 0 && rc != ERR_NOT_FOUND) {
        snprintf(sv->errbuf, ERR_BUF_LEN, "%s", s->ops->last_error(s));
        return rc;
    }
    bool exists = rc == 0;
    if (exists && sv->mode == USERS_ADD) {
        snprintf(sv->errbuf, ERR_BUF_LEN, "a user '%s' exists already", u->login);
        return ERR_EXISTS;
    }
    if (!exists && sv->mode == USERS_SET) {
        snprintf(sv->errbuf, ERR_BUF_LEN, "no user '%s'", u->login);
        return ERR_NOT_FOUND;
    }
    if (!exists && !sv->f->role)
        return refuse(sv->errbuf, "a new user needs --role customer, staff or admin");
    if (exists) {
        u->id = old.id;
        u->created_ms = old.created_ms;
        snprintf(u->role, sizeof u->role, "%s", old.role);
        snprintf(u->account, sizeof u->account, "%s", old.account);
        if (!sv->has_new_password)
            memcpy(u->password, old.password, sizeof u->password);
    } else
        u->created_ms = now_ms();
    /* Re-importing the hash a user has already (the same export twice) logs nobody out. */
    bool changed = exists && sv->has_new_password && strcmp(u->password, old.password) != 0;
    explicit_bzero(old.password, sizeof old.password);
    rc = apply_fields(u, sv->f, sv->errbuf);
    if (rc == 0)
        rc = store_user_save(s, u, !exists, sv->errbuf);
    int n_ended;
    if (rc == 0 && changed && (rc = store_session_remove_user(s, u->id, &n_ended)) != 0)
        snprintf(sv->errbuf, ERR_BUF_LEN, "cannot end the sessions of %s: %s", u->login,
                 s->ops->last_error(s));
    return rc;
}

int users_save(struct store *s, const char *login, const struct users_fields *f,
               enum users_mode mode, bool *has_password, char *errbuf)
{
    struct save sv = {.f = f, .mode = mode, .errbuf = errbuf};
    errbuf[0] = '\0';
    int rc = normalise(login, sv.u.login, "login", errbuf);
    if (rc != 0)
        return rc;
    if (f->password && f->password_hash)
        return refuse(errbuf, "give a password or its hash, not both");
    /* Hashing (tens of milliseconds) is done before the transaction, not while it holds
     * the store. */
    sv.has_new_password = f->password || f->password_hash;
    if (sv.has_new_password && (rc = password_text(f, sv.u.password, errbuf)) != 0)
        return rc;
    if (s->ops->in_transaction(s))
        rc = save_user(s, &sv);
    else if ((rc = store_transaction(s, save_user, &sv)) != 0 && !errbuf[0])
        snprintf(errbuf, ERR_BUF_LEN, "%s", s->ops->last_error(s)); /* the commit failed */
    if (has_password)
        *has_password = sv.u.password[0] != '\0';
    explicit_bzero(sv.u.password, sizeof sv.u.password);
    return rc;
}

int users_remove(struct store *s, const char *login, char *errbuf)
{
    char norm[USERS_LOGIN_SIZE];
    int rc = normalise(login, norm, "login", errbuf);
    return rc ? rc : store_user_remove(s, norm, errbuf);
}

/* ---- postfixadmin ---- */

int users_tsv_split(char *line, char **fields, int max, char *msg)
{
    int n = 0;
    char *out = line; /* decoding only shortens: out never passes p */
    fields[n++] = out;
    for (const char *p = line; *p; p++) {
        if (*p == '\t') {
            *out++ = '\0';
            if (n == max) {
                snprintf(msg, ERR_BUF_LEN, "more than %d tab-separated columns", max);
                return -1;
            }
            fields[n++] = out;
            continue;
        }
        if (*p != '\\') {
            *out++ = *p;
            continue;
        }
        /* mysql's batch mode writes a tab, a newline, a NUL and a backslash of a value as
         * \t, \n, \0 and \\ (mysql(1), --batch). */
        p++;
        if (*p == 't' || *p == 'n' || *p == '\\') {
            *out++ = *p == 't' ? '\t' : *p == 'n' ? '\n' : '\\';
            continue;
        }
        if (*p == '0')
            snprintf(msg, ERR_BUF_LEN, "column %d: a NUL byte (\\0)", n);
        else if (*p == '\0')
            snprintf(msg, ERR_BUF_LEN, "column %d: a backslash at the end of the line", n);
        else if (*p > ' ' && *p < 0x7f)
            snprintf(msg, ERR_BUF_LEN, "column %d: an escape \\%c that mysql -B does not write", n,
                     *p);
        else
            snprintf(msg, ERR_BUF_LEN, "column %d: a backslash before byte 0x%02x", n,
                     (unsigned char)*p);
        return -1;
    }
    *out = '\0';
    return n;
}

/* Reads one line of f into buf (LINES_MAX_BYTES) without its line end. Not lines_next():
 * '#' is no comment in a table's output, and a value may end in blanks. Returns 1, 0 at
 * the end of the file, or a code of base/lines.h (lines_error() says what was expected). */
static int read_line(FILE *f, char *buf)
{
    size_t n = 0;
    int ch;
    bool has_nul = false;
    while ((ch = getc_unlocked(f)) != EOF && ch != '\n') {
        if (n == LINES_MAX_BYTES - 1)
            return LINES_LONG;
        has_nul |= ch == '\0';
        buf[n++] = (char)ch;
    }
    if (ch == EOF && ferror(f))
        return LINES_READ_ERROR;
    if (ch == EOF && n == 0)
        return 0;
    if (has_nul)
        return LINES_NUL;
    if (n > 0 && buf[n - 1] == '\r') /* a file that went through Windows */
        n--;
    buf[n] = '\0';
    return 1;
}

struct pfa {
    const char *path;
    struct line_reader r; /* its FILE only: read_line() reads the lines */
    enum users_account_from from;
    const char *role;
    uint64_t n_users;
    char *errbuf;
};

__attribute__((format(printf, 4, 5))) static int fail_at(char *errbuf, const char *file,
                                                         unsigned line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lines_vfail(errbuf, file, line, fmt, ap);
    va_end(ap);
    return ERR_MALFORMED;
}

/* One mailbox: username, password and, from a third column, the account. */
static int pfa_mailbox(struct store *s, struct pfa *a, char **col, int n, unsigned lineno)
{
    char msg[ERR_BUF_LEN], login[USERS_LOGIN_SIZE];
    int want = a->from == USERS_ACCOUNT_COLUMN ? 3 : 2;
    if (n != want && want == 3)
        return fail_at(a->errbuf, a->path, lineno,
                       "expected username, password and account separated by tabs "
                       "(--account-from column), got %d column%s",
                       n, n == 1 ? "" : "s");
    if (n != want)
        return fail_at(a->errbuf, a->path, lineno,
                       "expected username and password separated by a tab, got %d column%s%s", n,
                       n == 1 ? "" : "s",
                       n == 3 ? " (to take the account from the third, give "
                                "--account-from column)"
                              : "");
    if (normalise(col[0], login, "the username", msg) != 0)
        return fail_at(a->errbuf, a->path, lineno, "%s", msg);
    struct users_fields f = {
        .role = a->role,
        .account = a->from == USERS_ACCOUNT_COLUMN ? col[2] : col[0],
        .password_hash = col[1],
    };
    int rc = users_save(s, col[0], &f, USERS_ADD_OR_SET, NULL, msg);
    if (rc != 0)
        fail_at(a->errbuf, a->path, lineno, "%s: %s", login, msg);
    return rc;
}

static int pfa_lines(struct store *s, void *ctx)
{
    struct pfa *a = ctx;
    char line[LINES_MAX_BYTES], msg[ERR_BUF_LEN], *col[3];
    unsigned lineno = 0;
    int more, rc = 0;
    while (rc == 0 && (more = read_line(a->r.f, line)) != 0) {
        lineno++;
        if (more < 0)
            return fail_at(a->errbuf, a->path, lineno, "expected %s", lines_error(more));
        if (!line[0])
            continue;
        int n = users_tsv_split(line, col, 3, msg);
        if (n < 0)
            rc = fail_at(a->errbuf, a->path, lineno, "%s", msg);
        else if (lineno == 1 && n >= 2 && strcmp(col[0], "username") == 0 &&
                 strcmp(col[1], "password") == 0)
            continue; /* mysql -B's header: the column names */
        else if ((rc = pfa_mailbox(s, a, col, n, lineno)) == 0)
            a->n_users++;
    }
    explicit_bzero(line, sizeof line);
    return rc;
}

int users_import_postfixadmin(struct store *s, const char *path, enum users_account_from from,
                              const char *role, uint64_t *n_users, char *errbuf)
{
    struct pfa a = {.path = path, .from = from, .role = role ? role : "customer", .errbuf = errbuf};
    char why[96];
    *n_users = 0;
    errbuf[0] = '\0';
    if (!is_role(a.role))
        return refuse(errbuf, "--role '%.40s': expected customer, staff or admin",
                      utf8_is_text(a.role, why, sizeof why) ? a.role : "?");
    int rc = lines_open(&a.r, path);
    if (rc != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "%s: expected a readable file (%s)", path, strerror(-rc));
        return rc;
    }
    rc = store_admin_batch(s, pfa_lines, &a);
    lines_close(&a.r);
    if (rc != 0 && errbuf[0] == '\0') /* the store refused the transaction itself */
        snprintf(errbuf, ERR_BUF_LEN, "%s: could not store it (%s), nothing was imported", path,
                 err_str(rc));
    if (rc == 0)
        *n_users = a.n_users;
    return rc;
}
